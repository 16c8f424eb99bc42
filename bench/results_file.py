"""What every benchmark records about the machine, and how it writes its results file."""

from __future__ import annotations

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def the_machine(load: bool = True) -> dict:
    """Python, processor, cores, and (when load) how busy the machine was: other work
    slows every figure, so a result carries the load it was measured under."""
    about = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    if load:
        about["load_average_1m"] = round(os.getloadavg()[0], 2)
    about["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return about


def write(name: str, results: dict) -> Path:
    """Print the results and write them to bench/results/<name>.json."""
    text = json.dumps(results, indent=2)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(text + "\n")
    return path
