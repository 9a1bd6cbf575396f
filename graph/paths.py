"""Where the project's shipped files live (the repository root of an editable install)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
RECORDS = DATA / "records"
REFERENCE = DATA / "reference"
GEOGRAPHY_2026 = REFERENCE / "decoupage-administratif-6.0.0"
