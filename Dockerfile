# dbops: build a wheel in one stage, install it into a clean slim image in the next.
# docker build -t dbops . && docker run --env-file .env -p 3000:3000 -v dbops-data:/data dbops
# (the SQLite store is in the /data volume; mount a policy file and set CHATOPS_POLICY to use one)

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=3000 DATABASE_URL=sqlite:////data/dbops.db
RUN useradd --system --create-home --uid 10001 dbops && mkdir /data && chown dbops /data
COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/dbops
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=2)"]
CMD ["python", "-m", "bot", "serve"]
