"""The document extractor: text, Markdown, HTML and PDF documents → draft records
(docs/records.md), one fact per item, each with the excerpt it comes from, its character
offsets in the normalised text, a confidence, and the basis of every value the text does not
state.

>>> from loaders.extract import SourceText, extract
>>> draft = extract(SourceText("La CTG 2023-2027 a été signée le 16 janvier 2024.", (), "text/plain"),
...                 name="exemple")
>>> c = draft["conventions"][0]
>>> c["kinds"], c["signing"]["date"], (c["period"]["start"], c["period"]["end"])
(['ctg'], datetime.date(2024, 1, 16), (2023, 2027))

Modules: :mod:`~loaders.extract.text` (reading, normalising, HTML, PDF), one recogniser per
module (dates, periods, amounts, kinds, domains, orgs, people, territories, facilities,
fundings, signing, actions), :mod:`~loaders.extract.conventions` and
:mod:`~loaders.extract.parties` (what belongs to which convention), and
:mod:`~loaders.extract.draft` (the record).
"""

from loaders.extract.draft import extract
from loaders.extract.output import dump, extract_file
from loaders.extract.text import SourceText, read_source

__all__ = ["SourceText", "dump", "extract", "extract_file", "read_source"]
