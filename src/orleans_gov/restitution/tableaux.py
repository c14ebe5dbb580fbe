"""French-formatted HTML tables of the deliverables (:func:`tableau`, :func:`tableau_termes`) and side-by-side layout
(:func:`cote_a_cote`).

Column headers and formats come from the vocabulary (:mod:`orleans_gov.base.vocabulaire`) through
:func:`tableau_termes`: a frame whose columns are vocabulary names is shown with « Libellé (unité) » headers and the
format of each unit (:func:`orleans_gov.restitution.formats.format_unite`).
"""
from __future__ import annotations

import base64
import html as _html
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.restitution.bandeau import est_exemple, html_bandeau_exemple, html_note_source, texte_source
from orleans_gov.restitution.formats import (_FORMATS_NOMMES, _NOMS_ANNEE, ND, fmt_annee, fmt_nombre,
                                             format_unite)
from orleans_gov.restitution.fragments import Html

__all__ = ["Html", "tableau", "tableau_termes", "termes_en_colonnes", "format_terme", "cote_a_cote", "html_figure"]


def _formateur(spec: Any, colonne: str) -> Callable[[Any], str]:
    if callable(spec):
        return spec
    if isinstance(spec, str):
        if spec not in _FORMATS_NOMMES:
            raise ValueError(f"format inconnu pour la colonne « {colonne} » : {spec!r} "
                             f"(attendu : {', '.join(sorted(_FORMATS_NOMMES))} ou une fonction)")
        return _FORMATS_NOMMES[spec]
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str):
        f = _formateur(spec[0], colonne)
        decimales = spec[1]
        return lambda x: f(x, decimales)
    raise ValueError(f"format invalide pour la colonne « {colonne} » : {spec!r}")


def _texte_cellule(x: Any) -> str:
    """Default rendering of a cell whose column has no explicit format."""
    if x is None or x is pd.NA or x is pd.NaT:
        return ND
    if isinstance(x, (bool, np.bool_)):
        return "oui" if x else "non"
    if isinstance(x, (int, np.integer)):
        return fmt_nombre(x, 0)
    if isinstance(x, (float, np.floating)):
        if math.isnan(x) or math.isinf(x):
            return ND
        return fmt_nombre(x, 0 if float(x).is_integer() else 1)
    if isinstance(x, pd.Timestamp):
        return x.strftime("%d/%m/%Y")
    return str(x)


def _formateur_defaut(serie: pd.Series, nom: str) -> Callable[[Any], str]:
    if str(nom).strip().lower() in _NOMS_ANNEE and pd.api.types.is_numeric_dtype(serie):
        return fmt_annee
    if pd.api.types.is_float_dtype(serie):
        valeurs = serie.dropna()
        valeurs = valeurs[np.isfinite(valeurs.astype(float))]
        entiers = bool((valeurs == valeurs.round()).all())
        decimales = 0 if entiers else 1
        return lambda x: fmt_nombre(x, decimales)
    return _texte_cellule


def _est_numerique(serie: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(serie) and not pd.api.types.is_bool_dtype(serie)


ENTETE_PROVENANCE = "Données (réel ou exemple)"
"""Header of the ``provenance`` column when a table mixes real and sample rows."""
_CONSONNES = set("bcdfgjklmnpqrstvwxz")
_VOY = set("aàâeéèêëiîïoôuùûy")


def coupures(mot_ou_texte: str, longueur: int = 11) -> str:
    """``mot_ou_texte`` with a soft hyphen (U+00AD, invisible unless the line breaks there) in each word longer than
    ``longueur`` letters, before the consonant followed by a vowel nearest the middle (« désendet­tement »): the
    headers of a printed table wrap inside long French words instead of widening the column."""
    def couper(m: re.Match) -> str:
        w = m.group(0)
        if len(w) <= longueur:
            return w
        pos = [i for i in range(3, len(w) - 3) if w[i].lower() in _CONSONNES and w[i + 1].lower() in _VOY
               and w[i - 1].lower() not in _CONSONNES | {"'"} or (w[i].lower() in _CONSONNES and w[i - 1] == w[i])]
        if not pos:
            return w
        i = min(pos, key=lambda k: abs(k - len(w) / 2))
        return w[:i] + "\u00ad" + couper_reste(w[i:], longueur)

    def couper_reste(w: str, n: int) -> str:
        return couper(re.match(r".*", w, re.S)) if len(w) > n else w

    return re.sub(r"[A-Za-zÀ-ÿ]+", couper, mot_ou_texte)


def _entete(nom: Any) -> str:
    return ENTETE_PROVENANCE if nom == "provenance" else _libelle(nom)


def _libelle(nom: Any) -> str:
    if isinstance(nom, tuple):
        return " — ".join(str(n) for n in nom if str(n) != "")
    return "" if nom is None else str(nom)


def tableau(df: pd.DataFrame, formats: Mapping[str, Any] | None = None, titre: str | None = None,
            source: str | None = None, exemple: bool | None = None) -> Html:
    """French-formatted HTML table, with its title above and its source line and sample banner.

    ``formats``: column → a callable (value → text) or a name among ``"nombre"``, ``"pct"`` (fraction),
    ``"pourcent"`` (value already in %), ``"keur"`` (k€), ``"meur"`` (input in k€, shown in M€), ``"eur_hab"``,
    ``"indice"`` (ratio shown base 100), ``"annee"``; or a tuple ``(name, decimales)``. Other columns: years as
    is, integers with thousands separators, floats with 0 or 1 decimal, missing → ``n.d.``.

    The banner « Données d'exemple — ne pas diffuser » is shown when ``exemple`` is True or when the frame has a
    ``provenance`` column containing "exemple" (``exemple=False`` cannot hide sample rows). A ``provenance``
    column is not displayed when all its values are equal (it is shown when real and sample rows are mixed).
    A non-default index is displayed as the first column(s).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"tableau() attend un DataFrame, reçu {type(df).__name__}")
    formats = dict(formats or {})
    inconnues = [c for c in formats if c not in df.columns]
    if inconnues:
        raise KeyError(f"formats donnés pour des colonnes absentes du tableau : {inconnues}")
    montre_exemple = bool(exemple) or ("provenance" in df.columns and est_exemple(df["provenance"]))

    affiche = df
    if "provenance" in df.columns and df["provenance"].nunique(dropna=False) <= 1 and "provenance" not in formats:
        affiche = df.drop(columns="provenance")

    montrer_index = not (isinstance(affiche.index, pd.RangeIndex) and affiche.index.name is None)
    noms_index = [_libelle(n) for n in affiche.index.names] if montrer_index else []

    colonnes = list(affiche.columns)
    fonctions = [(_formateur(formats[c], _libelle(c)) if c in formats
                  else _formateur_defaut(affiche[c], _libelle(c))) for c in colonnes]
    numeriques = [_est_numerique(affiche[c]) for c in colonnes]

    e = _html.escape
    lignes: list[str] = ['<div class="og-tableau-bloc">']
    if montre_exemple:
        lignes.append(html_bandeau_exemple())
    lignes.append('<table class="og-tableau" style="border-collapse:collapse">')
    if titre:
        lignes.append(f'<caption class="og-titre-tableau" style="caption-side:top;text-align:left;'
                      f'font-weight:bold;padding:0.3em 0">{e(str(titre))}</caption>')
    lignes.append("<thead><tr>")
    for n in noms_index:
        lignes.append(f'<th scope="col" style="text-align:left">{e(n)}</th>')
    for c, num in zip(colonnes, numeriques):
        align = "right" if num else "left"
        lignes.append(f'<th scope="col" style="text-align:{align}">{coupures(e(_entete(c)))}</th>')
    lignes.append("</tr></thead><tbody>")
    textes_lignes: list[list[str]] = []
    for position in range(len(affiche)):
        cellules: list[str] = []
        texte_ligne: list[str] = []
        if montrer_index:
            cle = affiche.index[position]
            cle = cle if isinstance(cle, tuple) else (cle,)
            for v in cle:
                t = fmt_annee(v) if isinstance(v, (int, np.integer)) and 1900 <= v <= 2100 else _texte_cellule(v)
                cellules.append(f'<th scope="row" style="text-align:left">{e(t)}</th>')
                texte_ligne.append(t)
        for j, (f, num) in enumerate(zip(fonctions, numeriques)):
            t = f(affiche.iat[position, j])
            align = "right" if num else "left"
            classe = ' class="num"' if num else ""
            cellules.append(f'<td{classe} style="text-align:{align};white-space:nowrap">{e(t)}</td>'
                            if num else f'<td style="text-align:{align}">{e(t)}</td>')
            texte_ligne.append(t)
        lignes.append("<tr>" + "".join(cellules) + "</tr>")
        textes_lignes.append(texte_ligne)
    lignes.append("</tbody></table>")
    if source:
        lignes.append(html_note_source(source))
    lignes.append("</div>")
    largeur = largeur_estimee(noms_index + [_entete(c) for c in colonnes], textes_lignes)
    classes = (["og-large" if largeur > LARGEUR_PAYSAGE else "og-serre"] if largeur > LARGEUR_PORTRAIT else []) + (
        ["og-long"] if len(affiche) > LIGNES_LONG else [])
    if classes:
        lignes[0] = f'<div class="og-tableau-bloc {" ".join(classes)}" data-largeur="{largeur}">'

    entetes = noms_index + [_libelle(c) for c in colonnes]
    texte = "\n".join(["\t".join(entetes)] + ["\t".join(t) for t in textes_lignes])
    if titre:
        texte = f"{titre}\n{texte}"
    if montre_exemple:
        texte = f"*** {TEXTE_EXEMPLE} ***\n{texte}"
    if source:
        texte += "\n" + texte_source(source)
    return Html("\n".join(lignes), texte)


LARGEUR_PORTRAIT = 118
"""Estimated width (in characters of the print font, 8 pt, padding included) above which a table is printed compact
(``og-serre``) or, above :data:`LARGEUR_PAYSAGE`, on an A4 landscape page (class ``og-large``, CSS named page
``paysage``): A4 portrait leaves 186 mm between margins, about 120 characters of 8 pt DejaVu Sans with the cell
padding (checked by the Chromium width test, tests/test_impression.py)."""
LARGEUR_PAYSAGE = 175
"""Above :data:`LARGEUR_PORTRAIT` and up to this estimated width a table stays on the portrait page in a compact
print (class ``og-serre``: 7 pt, narrow padding) — a landscape page forces page breaks around the table; above it,
the table goes to a landscape page."""
LIGNES_LONG = 15
"""A table of more rows may break across pages in print (class ``og-long``; its header repeats): kept in one block
it would leave the page before it half empty."""
LARGEUR_TEXTE_MAX = 28
"""A text cell wraps: it counts for at most this many characters (its longest word when longer)."""


def largeur_estimee(entetes: list[str], lignes: list[list[str]]) -> int:
    """Width of a table in characters when printed: per column, the longest of its header's longest word and of its
    cells (a text cell of more than :data:`LARGEUR_TEXTE_MAX` characters wraps to that width, or to its longest
    word), plus 2 characters of padding."""
    total = 0
    for j, entete in enumerate(entetes):
        w = max((len(m) for m in entete.split()), default=0)
        for li in lignes:
            t = li[j] if j < len(li) else ""
            w = max(w, len(t) if len(t) <= LARGEUR_TEXTE_MAX else max(LARGEUR_TEXTE_MAX, *(len(m) for m in t.split())))
        total += w + 2
    return total


def html_figure(fig, largeur: str = "100%", dpi: int = 150) -> str:
    """A matplotlib figure as an ``<img>`` with an embedded PNG (``data:`` URI, no external file); closes it."""
    import matplotlib.pyplot as plt  # lazy: keeps ``import orleans_gov`` light

    tampon = io.BytesIO()
    fig.savefig(tampon, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    plt.close(fig)
    donnees = base64.b64encode(tampon.getvalue()).decode("ascii")
    return f'<img class="og-figure" style="max-width:{largeur};height:auto" src="data:image/png;base64,{donnees}">'


def cote_a_cote(*elements: Any, proportions: Iterable[float] | None = None) -> Html:
    """Put tables (:class:`Html`, e.g. from :func:`tableau`) and matplotlib figures side by side (wraps on
    narrow screens). Figures are embedded as PNG and closed."""
    elements = list(elements)
    proportions = list(proportions) if proportions is not None else [1.0] * len(elements)
    morceaux = []
    for el, p in zip(elements, proportions):
        if hasattr(el, "savefig"):
            contenu = html_figure(el)
        elif isinstance(el, Html):
            contenu = el.html
        else:
            contenu = _html.escape(str(el))
        morceaux.append(f'<div style="flex:{p} 1 0;min-width:260px">{contenu}</div>')
    return Html('<div class="og-cote-a-cote" style="display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start">'
                + "".join(morceaux) + "</div>", "\n".join(repr(e) for e in elements if isinstance(e, Html)))


# ------------------------------------------------------------------------------------------------


def format_terme(nom: str, decimales: int | None = None) -> Any:
    """The table format of vocabulary term ``nom`` (from its unit, :func:`~.formats.format_unite`)."""
    return format_unite(vocabulaire.unite(nom), decimales)


def termes_en_colonnes(df: pd.DataFrame, decimales: Mapping[str, int] | None = None,
                       fractions: Iterable[str] = ()) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``df`` with each column named by a vocabulary term renamed « Libellé (unité) », and the table format of each
    from its unit (other columns are left as they are).

    ``decimales``: term → number of decimals where the unit's default is not wanted; ``fractions``: terms whose
    values are fractions (0–1) of a ``%`` term (shown × 100; the analysis functions that return shares say so).
    A column already written as text (pre-formatted values, « sans objet »…) is shown as is.
    """
    decimales = dict(decimales or {})
    fractions = set(fractions)
    noms = {c: c for c in df.columns if isinstance(c, str) and vocabulaire.existe(c)}
    formats: dict[str, Any] = {}
    for c in noms:
        if not _est_numerique(df[c]):
            continue
        spec = format_terme(c, decimales.get(c))
        if c in fractions:
            spec = ("pct", decimales.get(c, 1))
        if spec is not None:
            formats[vocabulaire.entete(c)] = spec
    return df.rename(columns=vocabulaire.entetes(noms)), formats


def tableau_termes(df: pd.DataFrame, titre: str | None = None, source: str | None = None,
                   exemple: bool | None = None, decimales: Mapping[str, int] | None = None,
                   fractions: Iterable[str] = (), formats: Mapping[str, Any] | None = None) -> Html:
    """:func:`tableau` of a frame whose columns are vocabulary names: headers and formats from the vocabulary
    (:func:`termes_en_colonnes`); ``formats`` adds or overrides formats by *displayed* header."""
    affiche, f = termes_en_colonnes(df, decimales, fractions)
    return tableau(affiche, formats={**f, **dict(formats or {})}, titre=titre, source=source, exemple=exemple)
