"""The command line, on a real on-disk store built by `maillage load`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def disk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    result = runner.invoke(app, ["load", "--store", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_load_reports_every_graph(disk_store: Path) -> None:
    result = runner.invoke(app, ["graphs", "--store", str(disk_store)])
    assert result.exit_code == 0
    for graph in ("geographie", "institutions", "ontologie", "record/msa-mps-arize-leze"):
        assert graph in result.output


def test_flagship_from_the_command_line(disk_store: Path) -> None:
    result = runner.invoke(app, ["query", "msa-creches", "--format", "csv",
                                 "--store", str(disk_store)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {(r["communeCode"], r["epciSiren"], r["amount"], r["funderLabel"]) for r in rows} == {
        ("09167", "200066223", "50000", "MSA Midi-Pyrénées Sud"),
        ("09124", "200066223", "27000", "MSA Midi-Pyrénées Sud"),
    }


def test_named_query_with_params_and_env_store(disk_store: Path) -> None:
    result = runner.invoke(app, ["query", "fundings", "-p", "funderKind=msa", "-p",
                                 "facilityKind=creche", "--format", "json"],
                           env={"MAILLAGE_STORE": str(disk_store)})
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["results"]["bindings"]) == 2


def test_sparql_text_and_turtle(disk_store: Path) -> None:
    q = "CONSTRUCT { ?c ?p ?o } WHERE { BIND(<https://maillage.fr/id/epci/200066223> AS ?c) ?c ?p ?o }"
    result = runner.invoke(app, ["query", q, "--format", "ttl", "--store", str(disk_store)])
    assert result.exit_code == 0
    assert "CC Arize Lèze" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "SELEC x", "--format", "json"], "error"),
        (["query", "msa-creches", "--format", "ttl"], "format"),
        (["query", "fundings", "-p", "funderKind"], "NAME=VALUE"),
        (["query", "partners"], "needs parameter"),
    ],
)
def test_cli_errors_are_clear(disk_store: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "--store", str(disk_store)])
    assert result.exit_code == 1
    assert message in result.output


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graphs", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "maillage load" in result.output


def test_resolve_command() -> None:
    result = runner.invoke(app, ["resolve", "Cœur d'Astarac en Gascogne", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["verdict"] == "resolved"
    assert body["candidates"][0]["identifier"] == "243200425"
    ambiguous = runner.invoke(app, ["resolve", "Caumont", "--kind", "commune"])
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.output
    assert runner.invoke(app, ["resolve", "Caumont", "--kind", "commune", "--departement",
                               "82"]).exit_code == 0
