"""checkov, the scanner security teams run, on every stack's rendered manifests."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8s_services.render import render
from tests.conftest import FIXTURES

PROJECT = Path(__file__).resolve().parents[1]
EXPECTED = yaml.safe_load((FIXTURES / "checkov.yaml").read_text())


def _checkov() -> str:
    path = os.environ.get("CHECKOV") or str(PROJECT / ".venv-checkov" / "bin" / "checkov")
    assert Path(path).exists(), f"checkov not found at {path}; scripts/check installs it"
    return path


def _failed(stack: str, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / stack
    render(PROJECT, stack, out)
    result = subprocess.run(
        [
            _checkov(),
            "-d",
            str(out),
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--quiet",
            "--skip-check",
            ",".join(EXPECTED["skip"]),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert sum(r.get("summary", r).get("passed", 0) for r in reports) > 100
    return [check for r in reports for check in r.get("results", {}).get("failed_checks", [])]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_pass_every_check_but_the_skip_list(stack: str, tmp_path: Path) -> None:
    assert [(c["check_id"], c["resource"]) for c in _failed(stack, tmp_path)] == []


def test_dev_fails_only_the_accepted_checks(tmp_path: Path) -> None:
    failed = {c["check_id"] for c in _failed("dev", tmp_path)}
    assert failed == set(EXPECTED["dev_accepted"])


def test_every_skip_and_accepted_finding_has_a_reason() -> None:
    assert all(
        isinstance(reason, str) and len(reason) > 20
        for reason in {**EXPECTED["skip"], **EXPECTED["dev_accepted"]}.values()
    )
