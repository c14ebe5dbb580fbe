"""Export of an executed notebook to a self-contained French HTML page (no code, no script, no external resource).

The page is produced by nbconvert's ``HTMLExporter`` with the house template (``templates/orleans_gov``): a cover
(mission, title, entity, date, data vintage), the cells' outputs without code cells nor prompts, images embedded
as ``data:`` URIs, the house CSS inlined, then :func:`rendre_autonome` removes whatever could still reach the
network. A page that shows sample data carries the banner :data:`orleans_gov.base.provenance.TEXTE_EXEMPLE`.
"""
from __future__ import annotations

import copy
import datetime as dt
import html as _html
import re
from pathlib import Path
from typing import Any

from orleans_gov.base.provenance import TEXTE_EXEMPLE, TEXTE_EXEMPLE_HTML
from orleans_gov.rendu.annexes import MIME_TABLEAU
from orleans_gov.rendu.taches import Tache, parametres_affiches

MISSION = "Gouvernance du bloc communal — agglomération d'Orléans"
CLIENT = "Communauté d'agglomération Orléans Val de Loire et ses 22 communes membres"
CLASSE_BANDEAU = "og-bandeau-exemple"
"""CSS class of the sample banner, defined by ``orleans_gov.restitution.bandeau.CLASSE_BANDEAU`` (the outputs
carry it) and styled by ``templates/orleans_gov/rapport.css``; repeated here to detect sample pages without
importing the presentation layer (matplotlib) into the renderer."""
MARQUEURS_EXEMPLE = (CLASSE_BANDEAU, TEXTE_EXEMPLE, TEXTE_EXEMPLE_HTML, TEXTE_EXEMPLE.replace("'", "&#39;"))
DOSSIER_GABARIT = Path(__file__).resolve().parent / "templates"
NOM_GABARIT = "orleans_gov"
FICHIER_CSS = DOSSIER_GABARIT / NOM_GABARIT / "rapport.css"
MOIS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
        "novembre", "décembre"]
ETIQUETTES_MASQUEES = {"masquer", "remove_cell", "remove-cell", "hide"}


def css_maison() -> str:
    """The house CSS (inlined in every page)."""
    return FICHIER_CSS.read_text(encoding="utf-8")


def date_francaise(d: dt.date) -> str:
    """« 29 novembre 2026 » (« 1er » for the first day of the month)."""
    jour = "1er" if d.day == 1 else str(d.day)
    return f"{jour} {MOIS[d.month - 1]} {d.year}"


_EXPORTEUR: Any = None


def exporteur_html():
    """nbconvert ``HTMLExporter`` with the house template, without code cells nor prompts (one per process)."""
    global _EXPORTEUR
    if _EXPORTEUR is None:
        from nbconvert import HTMLExporter  # third-party, lazy: ~0.5 s, paid once per worker

        _EXPORTEUR = HTMLExporter(template_name=NOM_GABARIT, extra_template_basedirs=[str(DOSSIER_GABARIT)],
                                  exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                                  embed_images=True, exclude_anchor_links=True, sanitize_html=False)
    return _EXPORTEUR


def contient_exemple(nb) -> bool:
    """True when the executed notebook shows sample data: the banner in an output, or the metadata flag
    ``metadata.orleans_gov.exemple``."""
    meta = nb.metadata.get("orleans_gov", {}) if hasattr(nb, "metadata") else {}
    if isinstance(meta, dict) and meta.get("exemple"):
        return True
    for cell in nb.cells:
        for sortie in cell.get("outputs", []):
            morceaux: list[str] = []
            if "text" in sortie:
                morceaux.append(str(sortie["text"]))
            for cle in ("text/html", "text/plain", "text/markdown"):
                valeur = sortie.get("data", {}).get(cle)
                if valeur:
                    morceaux.append(valeur if isinstance(valeur, str) else "".join(valeur))
            texte = "\n".join(morceaux)
            if any(m in texte for m in MARQUEURS_EXEMPLE):
                return True
    return False


def titre_notebook(nb, defaut: str) -> str:
    """Text of the first level-1 Markdown heading, else ``defaut``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for ligne in cell.source.splitlines():
                m = re.match(r"^#\s+(.+?)\s*#*\s*$", ligne)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    return defaut


def _sans_tableau_annexe(sortie) -> Any | None:
    """``sortie`` without its :data:`~orleans_gov.rendu.annexes.MIME_TABLEAU` data (for the Excel annex only); None
    when nothing but a plain-text fallback would remain."""
    donnees = sortie.get("data") if isinstance(sortie, dict) else None
    if not donnees or MIME_TABLEAU not in donnees:
        return sortie
    reste = {k: v for k, v in donnees.items() if k != MIME_TABLEAU}
    if not set(reste) - {"text/plain"}:
        return None
    sortie["data"] = reste
    return sortie


def _preparer_pour_html(nb) -> tuple[Any, int]:
    """Copy of ``nb`` without stderr streams (warnings), annex-only table data, nor cells tagged ``masquer``;
    returns (copy, n_stderr)."""
    nb = copy.deepcopy(nb)
    n = 0
    cellules = []
    for cell in nb.cells:
        if ETIQUETTES_MASQUEES & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "code":
            gardees = []
            for s in cell.get("outputs", []):
                if s.get("output_type") == "stream" and s.get("name") == "stderr":
                    n += 1
                    continue
                s = _sans_tableau_annexe(s)
                if s is not None:
                    gardees.append(s)
            cell.outputs = gardees
        cellules.append(cell)
    nb.cells = cellules
    return nb, n


_RE_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_RE_SCRIPT_SEUL = re.compile(r"<script\b[^>]*/?>", re.IGNORECASE)
_RE_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_RE_ANCRE_EXTERNE = re.compile(r"<a\b[^>]*\bhref\s*=\s*([\"'])(https?://[^\"']*)\1[^>]*>(.*?)</a\s*>",
                               re.IGNORECASE | re.DOTALL)
_RE_SRC_EXTERNE = re.compile(r"\b(src|href)\s*=\s*([\"'])\s*(?:https?:)?//[^\"']*\2", re.IGNORECASE)
_RE_IMPORT_CSS = re.compile(r"@import\s+url\([^)]*\)\s*;?|url\(\s*[\"']?(?:https?:)?//[^)]*\)", re.IGNORECASE)
_RE_ON_EVENT = re.compile(r"\s on[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*')", re.IGNORECASE | re.VERBOSE)
_RE_BALISE = re.compile(r"<[^>]+>")
_RE_H1 = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)


def rendre_autonome(page: str) -> str:
    """Make a page self-contained: no script, no ``<link>``, no external ``src``/``href``/CSS ``url()``.

    External hyperlinks (sources cited in the text) become their text followed by the address in plain text,
    so the reader still sees where a figure comes from without any network access.
    """
    page = _RE_SCRIPT.sub("", page)
    page = _RE_SCRIPT_SEUL.sub("", page)
    page = _RE_LINK.sub("", page)

    def _ancre(m: re.Match) -> str:
        url, texte = m.group(2), m.group(3)
        adresse = _html.escape(url.split("://", 1)[1])
        if _RE_BALISE.sub("", texte).strip() in {url, _html.escape(url)}:
            return f'<span class="og-url">{adresse}</span>'
        return f'{texte} <span class="og-url">({adresse})</span>'

    page = _RE_ANCRE_EXTERNE.sub(_ancre, page)
    page = _RE_SRC_EXTERNE.sub(lambda m: f"data-{m.group(1).lower()}-retire=\"\"", page)
    page = _RE_IMPORT_CSS.sub("", page)
    page = _RE_ON_EVENT.sub("", page)
    return page


def _retirer_premier_h1(corps: str, titre: str) -> str:
    """The cover shows the document title: drop the notebook's own first ``<h1>`` when it is the same."""
    debut = corps.find('<div class="og-corps')
    if debut < 0:
        return corps
    m = _RE_H1.search(corps, debut)
    if m:
        texte = _html.unescape(_RE_BALISE.sub("", m.group(1))).strip()
        if texte == titre.strip():
            return corps[:m.start()] + corps[m.end():]
    return corps


def exporter_html(nb, tache: Tache, contexte: dict[str, Any]) -> tuple[str, bool, int]:
    """HTML page of an executed notebook; returns (html, sample data shown, number of stderr outputs removed)."""
    exemple = contient_exemple(nb)
    propre, n_stderr = _preparer_pour_html(nb)
    titre = titre_notebook(nb, Path(tache.notebook).stem)
    numeros_manuels = any(re.match(r"^##\s+(\d|[IVX]+[.)])", ligne)
                          for c in nb.cells if c.cell_type == "markdown" for ligne in c.source.splitlines())
    og = {
        "css": contexte["css"],
        "mission": MISSION,
        "client": CLIENT,
        "titre": titre,
        "entite": tache.libelle_entite or "",
        "date": contexte["date"],
        "millesime": (nb.metadata.get("orleans_gov", {}) or {}).get("millesime") or contexte["millesime"],
        "exemple": exemple,
        "texte_exemple": TEXTE_EXEMPLE,
        "version": contexte.get("version", ""),
        "notebook": Path(tache.notebook).name + (
            " — " + parametres_affiches(tache.parametres) if tache.parametres else ""),
        "sans_numeros": numeros_manuels,
    }
    corps, _ressources = exporteur_html().from_notebook_node(propre, resources={"og": og})
    corps = _retirer_premier_h1(corps, titre)
    return rendre_autonome(corps), exemple, n_stderr
