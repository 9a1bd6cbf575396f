"""The ``maillage`` command: load, serve, query, graphs."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.settings import Settings
from graph.errors import MaillageError, NotFoundError
from graph.named_queries import QUERIES, get_named_query
from graph.store import OxigraphStore

app = typer.Typer(help="maillage: linked data on the partnerships of Caf, MSA, départements, "
                       "EPCI and communes.", no_args_is_help=True)
err = Console(stderr=True)

StoreOption = Annotated[Path | None, typer.Option(
    "--store", envvar="MAILLAGE_STORE",
    help="On-disk store directory (default: the user's data directory).")]


def _store_path(store: Path | None) -> Path:
    return store or Settings().store


def _fail(exc: Exception) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    return typer.Exit(code=1)


@app.command()
def load(store: StoreOption = None,
         drafts: Annotated[bool, typer.Option(
             "--drafts", help="Also load the drafts of the review area into /graph/brouillon/… "
                              "(flagged unreviewed, outside the default dataset).")] = False) -> None:
    """Load everything shipped (ontology, geography, institutions, records) into the store,
    replacing it atomically."""
    from loaders.pipeline import build_store
    from loaders.review import REVIEW

    path = _store_path(store)
    started = time.perf_counter()
    table = Table("graph", "triples", "seconds", title=f"maillage load → {path}")
    with err.status("loading…") as status:
        def progress(graph: str, triples: int) -> None:
            status.update(f"{graph}: {triples:,} triples")
        try:
            steps = build_store(path, progress, drafts_folder=REVIEW if drafts else None)
        except MaillageError as exc:
            raise _fail(exc) from None
    for step in steps:
        table.add_row(step.graph, f"{step.triples:,}", f"{step.seconds:.2f}")
    err.print(table)
    err.print(f"done in {time.perf_counter() - started:.1f} s")


@app.command()
def serve(store: StoreOption = None,
          host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
          access_log: Annotated[bool, typer.Option(help="Log every request (costs throughput).")]
          = False) -> None:
    """Serve the SPARQL endpoint and the REST API over the on-disk store (read-only unless an
    update token is set), in ``MAILLAGE_WORKERS`` supervised worker processes."""
    from api.serve import serve as run

    settings = Settings(store=_store_path(store))
    if not settings.store.is_dir():  # said once here, not by every worker
        raise _fail(NotFoundError(f"no store at {settings.store}: run `maillage load` first"))
    run(settings, host=host, port=port, access_log=access_log)


def _sparql_text(query: str) -> tuple[str, object | None]:
    """The text to run: a named query's name, a ``.rq`` file, or SPARQL itself."""
    path = Path(query)
    if path.suffix == ".rq" and path.is_file():
        return path.read_text(encoding="utf-8"), None
    if (QUERIES / f"{query}.rq").is_file():
        named = get_named_query(query)
        return named.sparql, named
    return query, None


@app.command()
def query(
    query: Annotated[str, typer.Argument(help="A named query (e.g. msa-creches), a .rq file "
                                              "or SPARQL text.")],
    fmt: Annotated[str, typer.Option("--format", help="json|csv|tsv|xml for SELECT/ASK; "
                                                      "ttl|nt|jsonld|xml for CONSTRUCT.")] = "json",
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="NAME=VALUE for a named query's parameter (repeatable).")] = None,
    store: StoreOption = None,
) -> None:
    """Run a query on the store and print the result."""
    path = _store_path(store)
    if not path.is_dir():
        raise _fail(f"no store at {path}: run `maillage load` first")
    text, named = _sparql_text(query)
    values = dict(p.split("=", 1) for p in param or () if "=" in p)
    if len(values) != len(param or ()):
        raise _fail("--param takes NAME=VALUE")
    try:
        db = OxigraphStore(path, read_only=True)
        if named is not None:
            result = named.run(db, values)
        elif values:
            raise _fail("--param only applies to a named query")
        else:
            result = db.query(text)
        sys.stdout.buffer.write(result.serialize(fmt))
    except MaillageError as exc:
        raise _fail(exc) from None


@app.command()
def resolve(
    name: Annotated[str, typer.Argument(help="A name as written (« CAF 91 », « CC Arize Lèze »).")],
    kind: Annotated[str | None, typer.Option(help="commune, epci, departement, region, caf, msa, "
                                                  "conseil-departemental, conseil-regional, "
                                                  "institution.")] = None,
    departement: Annotated[str | None, typer.Option(help="Département code as context.")] = None,
    date: Annotated[str | None, typer.Option(help="YYYY-MM-DD: resolve against that year's "
                                                  "geography.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Resolve a name to a territory or an institution: candidates and a verdict."""
    import datetime as dt
    import json

    from loaders.resolver import default_resolver

    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise _fail(f"--date {date!r} is not YYYY-MM-DD") from None
    result = default_resolver().resolve(name, kind, departement=departement, date=day)
    if as_json:
        print(json.dumps({"name": result.name, "verdict": result.verdict,
                          "candidates": [c.__dict__ for c in result.candidates]},
                         ensure_ascii=False, indent=2, default=list))
    else:
        table = Table("kind", "identifier", "name", "score", "départements", "note",
                      title=f"{name!r}: {result.verdict}")
        for c in result.candidates:
            table.add_row(c.kind, c.identifier, c.name, f"{c.score:.2f}", " ".join(c.departements),
                          c.note)
        Console().print(table)
    if result.verdict != "resolved":
        raise typer.Exit(code=2)


ReviewDir = Annotated[Path | None, typer.Option("--dir", help="Review area (default data/review).")]


@app.command()
def extract(paths: Annotated[list[Path], typer.Argument(help="Documents (.txt .md .html .pdf) "
                                                              "or folders of them.")],
            out: Annotated[Path | None, typer.Option(
                "--out", "--dir", help="Where drafts go (default: the review area data/review).")]
            = None) -> None:
    """Documents → draft records with their evidence, one YAML per document, in the review
    area (see `maillage review`)."""
    from loaders.extract import extract_file
    from loaders.review import REVIEW

    folder = out or REVIEW
    folder.mkdir(parents=True, exist_ok=True)
    files = [p for path in paths for p in (sorted(x for x in path.iterdir() if x.suffix.lower()
             in (".txt", ".md", ".html", ".htm", ".pdf")) if path.is_dir() else [path])]
    if not files:
        raise _fail("no document given")
    table = Table("document", "draft", title=f"maillage extract → {folder}")
    failed = 0
    for doc in files:
        try:
            table.add_row(str(doc), str(extract_file(doc, folder)))
        except (MaillageError, OSError) as exc:
            failed += 1
            table.add_row(str(doc), f"[red]{exc}[/red]")
    err.print(table)
    if failed:
        raise typer.Exit(code=1)


@app.command()
def review(name: Annotated[str | None, typer.Argument(help="A draft (its file stem).")] = None,
           accept: Annotated[bool, typer.Option("--accept", help="Publish it to data/records/.")]
           = False,
           reject: Annotated[bool, typer.Option("--reject", help="Delete it.")] = False,
           folder: ReviewDir = None) -> None:
    """List the drafts; show one with its evidence; accept or reject it."""
    from loaders import review as area
    from loaders.geography import read_geography
    from loaders.registry import build_registry
    from loaders.yaml_safe import read_yaml

    where = folder or area.REVIEW
    try:
        if name and reject:
            area.reject(name, where)
            err.print(f"rejected {name}")
            return
        registry = build_registry(read_geography())
        if name and accept:
            err.print(f"accepted {name} → {area.accept(name, registry, where)}")
            return
        if name:
            _show_draft(read_yaml(where / f"{name}.yaml"), area.inspect(where / f"{name}.yaml",
                                                                          registry))
            return
    except MaillageError as exc:
        raise _fail(exc) from None
    table = Table("draft", "conventions", "facilities", "fundings", "lowest confidence", "loads?",
                  title=f"drafts in {where}")
    for path in area.draft_files(where):
        d = area.inspect(path, registry)
        conf = "" if d.lowest_confidence is None else f"{d.lowest_confidence:.2f}"
        table.add_row(d.name, str(d.conventions), str(d.facilities), str(d.fundings), conf,
                      "yes" if d.error is None else f"[red]{d.error}[/red]")
    Console().print(table)


def _show_draft(record: object, draft: object) -> None:
    """Every fact of a draft with its evidence, for a reviewer."""
    from loaders.review import _items

    console = Console()
    console.print(f"[bold]{draft.name}[/bold]: {'loads' if draft.error is None else draft.error}")
    for item in _items(record):
        label = item.get("label") or item.get("key") or item.get("organisation") or item.get(
            "domain") or item.get("date") or item.get("epci") or item.get("commune") or ""
        excerpts = item["excerpt"] if isinstance(item["excerpt"], list) else [item["excerpt"]]
        conf = item.get("confidence")
        console.print(f"• {label}" + (f"  [dim](confiance {conf:.2f})[/dim]" if conf else ""),
                      highlight=False)
        for excerpt in excerpts:
            console.print(f"    « {excerpt} »", style="italic", highlight=False)
        for field, basis in (item.get("inferred") or {}).items():
            console.print(f"    inféré {field} : {basis}", style="yellow", highlight=False)


@app.command()
def graphs(store: StoreOption = None) -> None:
    """Triples per named graph."""
    path = _store_path(store)
    if not path.is_dir():
        raise _fail(f"no store at {path}: run `maillage load` first")
    table = Table("graph", "triples")
    sizes = OxigraphStore(path, read_only=True).graph_sizes()
    for graph, n in sizes.items():
        table.add_row(graph, f"{n:,}")
    table.add_row("total", f"{sum(sizes.values()):,}")
    Console().print(table)


if __name__ == "__main__":
    app()
