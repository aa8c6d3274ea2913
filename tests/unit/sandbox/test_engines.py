"""The sandbox answers each engine's database and backup requests as DigitalOcean documents them."""

from __future__ import annotations

import httpx
import pytest

from bot.sandbox import SandboxState
from bot.sandbox.model import SandboxCluster

IDS = {
    "kafka": "5a1e0000-0000-4000-8000-00000000ka01",
    "opensearch": "5a1e0000-0000-4000-8000-00000000os01",
    "mongodb": "5a1e0000-0000-4000-8000-00000000mo01",
}
LABELS = {"kafka": "Kafka", "opensearch": "OpenSearch"}


@pytest.fixture(autouse=True)
def more_engines(state: SandboxState) -> None:
    for engine, cid in IDS.items():
        dbs = ["admin"] if engine == "mongodb" else []
        state.add_cluster(
            SandboxCluster(
                id=cid, name=f"x-{engine}", engine=engine, version="1", size="db-s-2vcpu-4gb", dbs=dbs
            )
        )


@pytest.mark.parametrize("engine", ["kafka", "opensearch"])
async def test_kafka_and_opensearch_refuse_database_management(http: httpx.AsyncClient, engine: str) -> None:
    dbs = f"/v2/databases/{IDS[engine]}/dbs"
    for response in (await http.get(dbs), await http.post(dbs, json={"name": "billing"})):
        assert response.status_code == 422
        assert (
            response.json()["message"]
            == f"Database management is not supported for {LABELS[engine]} clusters."
        )
    cluster = (await http.get(f"/v2/databases/{IDS[engine]}")).json()["database"]
    assert cluster["db_names"] is None
    assert (await http.get(f"/v2/databases/{IDS[engine]}/users")).status_code == 200  # users exist


async def test_mongodb_manages_databases_keeps_admin_and_lists_no_backups(http: httpx.AsyncClient) -> None:
    base = f"/v2/databases/{IDS['mongodb']}"
    assert (await http.post(f"{base}/dbs", json={"name": "catalog"})).status_code == 201
    assert [db["name"] for db in (await http.get(f"{base}/dbs")).json()["dbs"]] == ["admin", "catalog"]
    refused = await http.delete(f"{base}/dbs/admin")
    assert refused.status_code == 422
    assert refused.json()["message"] == "The admin database cannot be deleted."
    backups = await http.get(f"{base}/backups")
    assert backups.status_code == 422
    assert backups.json()["message"] == "Backups are only available for PostgreSQL and MySQL clusters."
