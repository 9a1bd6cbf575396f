"""The SPARQL query page: YASGUI (vendored, served from /static/yasgui/), the project's prefixes
filled in, and the named queries of ``queries/`` as examples."""

from __future__ import annotations

import html
import json

from graph.named_queries import named_queries
from graph.vocab import sparql_prefixes

PAGE = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Requêtes SPARQL — maillage</title>
<link rel="stylesheet" href="{static}/yasgui/yasgui.min.css">
<style>
 body {{ font-family: system-ui, sans-serif; margin: 0 1.5rem; }}
 nav ul {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .5rem; }}
 nav button {{ cursor: pointer; }}
</style>
</head>
<body>
<header>
<h1>Requêtes SPARQL sur maillage</h1>
<p>Point d’accès SPARQL 1.1 : <code>{endpoint}</code>. Le graphe par défaut est l’union des
graphes nommés (hors brouillons). Exemples :</p>
<nav aria-label="Requêtes nommées"><ul>{examples}</ul></nav>
</header>
<main><div id="yasgui"></div></main>
<script src="{static}/yasgui/yasgui.min.js"></script>
<script id="named-queries" type="application/json">{queries}</script>
<script>
const queries = JSON.parse(document.getElementById("named-queries").textContent);
const yasgui = new Yasgui(document.getElementById("yasgui"), {{
  requestConfig: {{ endpoint: {endpoint_js}, method: "POST" }},
  copyEndpointOnNewTab: true,
  persistenceId: null,
  yasqe: {{ value: {initial} }},
}});
document.querySelectorAll("button[data-query]").forEach((button) => {{
  button.addEventListener("click", () => {{
    yasgui.getTab().setQuery(queries[button.dataset.query]);
  }});
}});
</script>
</body>
</html>
"""

_SAMPLE = "SELECT ?commune ?nom WHERE {\n  ?commune a igeo:Commune ; igeo:nom ?nom .\n} LIMIT 10\n"


def query_page(endpoint: str, static: str) -> str:
    """The HTML page, for a browser's bare GET on ``/sparql``."""
    queries = {q.name: q.sparql for q in named_queries().values() if not q.params}
    examples = "".join(
        f'<li><button type="button" data-query="{html.escape(q.name)}" '
        f'title="{html.escape(q.summary)}">{html.escape(q.name)}</button></li>'
        for q in named_queries().values() if not q.params)
    # "</" cannot appear inside a <script> element.
    safe = json.dumps(queries, ensure_ascii=False).replace("</", "<\\/")
    return PAGE.format(static=html.escape(static), endpoint=html.escape(endpoint),
                       endpoint_js=json.dumps(endpoint), examples=examples, queries=safe,
                       initial=json.dumps(sparql_prefixes() + "\n" + _SAMPLE).replace("</", "<\\/"))
