"""`GET /v2/databases/options`: the engines, regions, versions and node sizes the sandbox offers."""

from __future__ import annotations

from typing import Any

__all__ = ["options_payload"]

_REGIONS = ["ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"]
_BASIC_SIZES = ["db-s-1vcpu-1gb", "db-s-1vcpu-2gb", "db-s-2vcpu-4gb", "db-s-4vcpu-8gb", "db-s-6vcpu-16gb"]
_HA_SIZES = [
    "db-s-1vcpu-2gb",
    "db-s-2vcpu-4gb",
    "db-s-4vcpu-8gb",
    "db-s-6vcpu-16gb",
    "gd-2vcpu-8gb",
    "gd-4vcpu-16gb",
    "gd-8vcpu-32gb",
]

_ENGINES: dict[str, tuple[list[str], list[tuple[int, list[str]]]]] = {
    "pg": (["13", "14", "15", "16", "17"], [(1, _BASIC_SIZES), (2, _HA_SIZES), (3, _HA_SIZES)]),
    "mysql": (["8"], [(1, _BASIC_SIZES), (2, _HA_SIZES), (3, _HA_SIZES)]),
    "redis": (["7"], [(1, _BASIC_SIZES), (2, _HA_SIZES), (3, _HA_SIZES)]),
    "valkey": (["8"], [(1, _BASIC_SIZES), (2, _HA_SIZES), (3, _HA_SIZES)]),
    "mongodb": (["6.0", "7.0"], [(1, _BASIC_SIZES[1:]), (3, _HA_SIZES)]),
    "kafka": (["3.8"], [(3, ["db-s-2vcpu-2gb", "db-s-2vcpu-4gb", "gd-2vcpu-8gb", "gd-4vcpu-16gb"])]),
    "opensearch": (["2"], [(1, _BASIC_SIZES[1:]), (3, _HA_SIZES)]),
}


def options_payload() -> dict[str, Any]:
    options: dict[str, Any] = {}
    availability: dict[str, Any] = {}
    for engine, (versions, layouts) in _ENGINES.items():
        options[engine] = {
            "regions": list(_REGIONS),
            "versions": list(versions),
            "layouts": [{"num_nodes": nodes, "sizes": list(sizes)} for nodes, sizes in layouts],
        }
        availability[engine] = [
            {
                "version": version,
                "end_of_life": None,
                "end_of_availability": None,
            }
            for version in versions
        ]
    return {"options": options, "version_availability": availability}
