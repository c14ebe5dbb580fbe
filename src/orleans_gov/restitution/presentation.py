"""House style of the deliverables: French number formatting, HTML tables, sample banner, charts and maps.

Every notebook uses these helpers instead of formatting numbers itself, so the whole deliverable set reads the
same way (French typography, DESIGN.md §4):

* thousands separator = narrow no-break space (U+202F), decimal separator = comma: ``1 234,5``;
* a no-break space (U+00A0) before a unit: ``12,3 %``, ``1 234 k€``, ``12,3 M€``, ``1 531 €/hab.``;
* a missing value (``None``, ``NaN``, ``pd.NA``, ``NaT``, infinite) is written ``n.d.`` (non disponible),
  never ``0``;
* rounding is "half up" on the decimal value as printed (``1 234,5`` → ``1 235``), as a reader checks by hand;
* tables and figures carry their source (and data vintage) underneath, and the banner
  « Données d'exemple — ne pas diffuser » whenever sample data (``provenance == "exemple"``) is shown.

Units of input: amounts are in **k€** (the DGFiP convention, docs/TABLES.md) for :func:`fmt_keur` and
:func:`fmt_meur`; :func:`fmt_pct` takes a **fraction** (0.123 → « 12,3 % ») unless ``fraction=False``
(values already in percent, like the DGFiP ``r*`` columns); :func:`fmt_indice` takes a **ratio** (1.12 = 12 %
above the reference) and prints it base 100 (« 112 »).
"""
from __future__ import annotations

import html as _html
import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ND", "ESP_MILLIERS", "ESP_INSECABLE", "TEXTE_EXEMPLE", "PALETTE", "COULEUR_PRINCIPALE", "COULEUR_ACCENT",
    "COULEUR_ND", "CMAP_SEQUENTIELLE", "CMAP_DIVERGENTE", "Html",
    "fmt_nombre", "fmt_pct", "fmt_keur", "fmt_meur", "fmt_eur_hab", "fmt_indice", "fmt_annee",
    "est_exemple", "tableau", "cote_a_cote", "html_figure", "bandeau_exemple", "note_source", "html_bandeau_exemple", "html_note_source",
    "appliquer_style", "formateur_axe", "legende_figure", "carte", "carte_situation",
]

ND = "n.d."
ESP_MILLIERS = "\u202f"  # espace fine insécable : séparateur des milliers
ESP_INSECABLE = "\u00a0"  # espace insécable : avant une unité (%, k€, M€, €/hab.)
TEXTE_EXEMPLE = "Données d'exemple — ne pas diffuser"
CLASSE_BANDEAU = "og-bandeau-exemple"  # the renderer (rendu.py) detects sample pages by this class

# House palette (Okabe–Ito colour-blind-safe hues, with the house dark blue first).
PALETTE: list[str] = [
    "#1f4e79",  # bleu (couleur principale)
    "#e69f00",  # orange
    "#009e73",  # vert
    "#d55e00",  # vermillon
    "#56b4e9",  # bleu ciel
    "#cc79a7",  # rose
    "#7f7f7f",  # gris
    "#b8a000",  # jaune foncé (lisible sur blanc)
]
COULEUR_PRINCIPALE = PALETTE[0]
COULEUR_ACCENT = PALETTE[3]
COULEUR_ND = "#d9d9d9"
COULEUR_EXEMPLE = "#c0392b"
CMAP_SEQUENTIELLE = "Blues"
CMAP_DIVERGENTE = "RdBu_r"


# ------------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------------
def _en_decimal(x: Any) -> Decimal | None:
    """``Decimal`` of a numeric scalar, ``None`` when missing (None, NaN, NA, NaT, ±inf).

    Floats go through ``repr`` so that the value rounded is the one a reader sees (2.675 → 2,68).
    A non-numeric value raises ``TypeError`` (nothing is silently coerced).
    """
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"valeur booléenne là où un nombre est attendu : {x!r}")
    if isinstance(x, (int, np.integer)):
        return Decimal(int(x))
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isnan(f) or math.isinf(f):
            return None
        return Decimal(repr(f))
    if isinstance(x, Decimal):
        return None if (x.is_nan() or x.is_infinite()) else x
    raise TypeError(f"valeur non numérique : {x!r} (type {type(x).__name__})")


def _verifier_decimales(decimales: int) -> int:
    if isinstance(decimales, bool) or not isinstance(decimales, (int, np.integer)) or decimales < 0:
        raise ValueError(f"nombre de décimales invalide : {decimales!r} (entier ≥ 0 attendu)")
    return int(decimales)


def _texte_decimal(d: Decimal, decimales: int, milliers: bool = True) -> str:
    quantum = Decimal(1).scaleb(-decimales)
    try:
        q = d.quantize(quantum, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # pragma: no cover - numbers far beyond public-finance magnitudes
        raise ValueError(f"nombre impossible à arrondir à {decimales} décimales : {d}") from exc
    if q == 0:
        q = abs(q)  # no "-0"
    texte = format(q, f"{',' if milliers else ''}.{decimales}f")
    return texte.replace(",", ESP_MILLIERS).replace(".", ",")


def fmt_nombre(x: Any, decimales: int = 0) -> str:
    """French number: ``fmt_nombre(1234.5, 1) == "1 234,5"`` (U+202F thousands separator, decimal comma).

    Missing (None, NaN, NA, infinite) → ``"n.d."``. Rounding half up on the printed decimal value.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else _texte_decimal(d, decimales)


def fmt_pct(x: Any, decimales: int = 1, *, fraction: bool = True) -> str:
    """Percentage: ``fmt_pct(0.123) == "12,3 %"``.

    ``x`` is a **fraction** (0.123 = 12,3 %) by default; pass ``fraction=False`` for values already in percent
    (DGFiP ``r*``/``rm*`` columns: ``fmt_pct(12.3, fraction=False) == "12,3 %"``). No-break space before ``%``.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    if d is None:
        return ND
    if fraction:
        d = d * 100
    return f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}%"


def fmt_keur(x: Any, decimales: int = 0) -> str:
    """Amount given **in k€**, printed in k€: ``fmt_keur(1234) == "1 234 k€"``."""
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}k€"


def fmt_meur(x: Any, decimales: int = 1) -> str:
    """Amount given **in k€** (DGFiP convention), printed in M€: ``fmt_meur(12345) == "12,3 M€"``.

    The input is divided by 1 000; pass k€, not euros.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d / 1000, decimales)}{ESP_INSECABLE}M€"


def fmt_eur_hab(x: Any, decimales: int = 0) -> str:
    """Amount **in euros per inhabitant**: ``fmt_eur_hab(1531.2) == "1 531 €/hab."``."""
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else f"{_texte_decimal(d, decimales)}{ESP_INSECABLE}€/hab."


def fmt_indice(x: Any, decimales: int = 0) -> str:
    """Index base 100 from a **ratio** (value / reference): ``fmt_indice(1.124) == "112"``.

    Used for "commune / moyenne de la strate" (DESIGN.md §3.1): 100 = the strata mean.
    """
    decimales = _verifier_decimales(decimales)
    d = _en_decimal(x)
    return ND if d is None else _texte_decimal(d * 100, decimales)


def fmt_annee(x: Any) -> str:
    """A year without thousands separator (``2014``); missing → ``"n.d."``."""
    d = _en_decimal(x)
    if d is None:
        return ND
    if d != d.to_integral_value():
        raise ValueError(f"année non entière : {x!r}")
    return str(int(d))


_FORMATS_NOMMES: dict[str, Callable[..., str]] = {
    "nombre": fmt_nombre,
    "pct": fmt_pct,
    "pourcent": lambda x, decimales=1: fmt_pct(x, decimales, fraction=False),
    "keur": fmt_keur,
    "meur": fmt_meur,
    "eur_hab": fmt_eur_hab,
    "indice": fmt_indice,
    "annee": lambda x: fmt_annee(x),
}
_NOMS_ANNEE = {"an", "annee", "année", "exercice", "annees", "années", "millesime", "millésime"}


# ------------------------------------------------------------------------------------------------
# HTML objects
# ------------------------------------------------------------------------------------------------
class Html:
    """A fragment of HTML displayed by Jupyter (``_repr_html_``); ``str()`` gives the HTML text."""

    def __init__(self, html: str, texte: str | None = None) -> None:
        self.html = html
        self.texte = texte if texte is not None else html

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.texte

    def __add__(self, autre: "Html") -> "Html":
        return Html(self.html + autre.html, self.texte + "\n" + autre.texte)


def _afficher(objet: Html) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is installed with ipykernel
        print(objet.texte)
        return
    if get_ipython() is None:
        print(objet.texte)
    else:
        display(objet)


def est_exemple(objet: Any) -> bool:
    """True when ``objet`` shows sample data.

    ``objet`` may be a bool, a DataFrame (its ``provenance`` column is checked: any value containing
    "exemple"), a Series of provenances, a provenance string, or an iterable of those (true if any is).
    A DataFrame without a ``provenance`` column cannot be judged: a warning is issued and False returned.
    """
    if objet is None:
        return False
    if isinstance(objet, (bool, np.bool_)):
        return bool(objet)
    if isinstance(objet, str):
        return "exemple" in objet.lower()
    if isinstance(objet, pd.DataFrame):
        if "provenance" not in objet.columns:
            warnings.warn("table sans colonne « provenance » : impossible de savoir si elle contient des "
                          "données d'exemple (passer exemple=True/False explicitement)", stacklevel=3)
            return False
        return est_exemple(objet["provenance"])
    if isinstance(objet, pd.Series):
        valeurs = objet.dropna().astype(str).str.lower()
        return bool(valeurs.str.contains("exemple", regex=False).any())
    if isinstance(objet, Iterable):
        return any(est_exemple(o) for o in objet)
    raise TypeError(f"impossible de dire si {type(objet).__name__} contient des données d'exemple")


def html_bandeau_exemple() -> str:
    """HTML of the sample banner (inline styles so it is visible in JupyterLab and in the reports)."""
    return (f'<div class="{CLASSE_BANDEAU}" role="note" style="border:3px solid {COULEUR_EXEMPLE};'
            f'background:#fdecea;color:{COULEUR_EXEMPLE};font-weight:bold;padding:0.2em 0.8em;margin:0.4em 0;'
            f'text-align:center;font-size:0.92em;letter-spacing:0.02em">'
            f'⚠ {_html.escape(TEXTE_EXEMPLE)}</div>')


def _texte_source(texte: str) -> str:
    texte = str(texte).strip()
    return texte if texte.lower().startswith(("source", "note", "lecture", "champ")) else f"Source : {texte}"


def html_note_source(texte: str) -> str:
    """HTML of a source line (« Source : … »)."""
    return (f'<p class="og-source" style="font-size:0.85em;color:#555;margin:0.2em 0 1em 0;font-style:italic">'
            f"{_html.escape(_texte_source(texte))}</p>")


def bandeau_exemple(df_or_bool: Any, afficher: bool = True) -> Html | None:
    """Show the banner « Données d'exemple — ne pas diffuser » when ``df_or_bool`` holds sample data.

    With ``afficher=True`` (default) the banner is displayed at once in the notebook (wherever the call is in
    the cell) and ``None`` is returned; with ``afficher=False`` the :class:`Html` object is returned (or ``None``
    when there is no sample data). See :func:`est_exemple` for what ``df_or_bool`` may be.
    """
    if not est_exemple(df_or_bool):
        return None
    objet = Html(html_bandeau_exemple(), f"*** {TEXTE_EXEMPLE} ***")
    if afficher:
        _afficher(objet)
        return None
    return objet


def note_source(texte: str, afficher: bool = True) -> Html | None:
    """Source (and data vintage) line, e.g. ``note_source("DGFiP, comptes individuels des communes 2023")``.

    « Source : » is prefixed unless the text already starts with Source/Note/Lecture/Champ. Displayed at once
    (returns ``None``) unless ``afficher=False`` (returns the :class:`Html` object).
    """
    objet = Html(html_note_source(texte), _texte_source(texte))
    if afficher:
        _afficher(objet)
        return None
    return objet


# ------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------
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
        lignes.append(f'<th scope="col" style="text-align:{align}">{e(_libelle(c))}</th>')
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

    entetes = noms_index + [_libelle(c) for c in colonnes]
    texte = "\n".join(["\t".join(entetes)] + ["\t".join(t) for t in textes_lignes])
    if titre:
        texte = f"{titre}\n{texte}"
    if montre_exemple:
        texte = f"*** {TEXTE_EXEMPLE} ***\n{texte}"
    if source:
        texte += "\n" + _texte_source(source)
    return Html("\n".join(lignes), texte)


def html_figure(fig, largeur: str = "100%", dpi: int = 150) -> str:
    """A matplotlib figure as an ``<img>`` with an embedded PNG (``data:`` URI, no external file); closes it."""
    import base64
    import io

    import matplotlib.pyplot as plt

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
# Charts
# ------------------------------------------------------------------------------------------------
def appliquer_style() -> None:
    """Apply the house matplotlib/seaborn theme (call once per notebook, after the imports).

    Readable sizes for a printed A4 page, light horizontal grid, no top/right spines, the house ``PALETTE``
    as colour cycle, figures rendered at a resolution fit for print. Axis ticks in French: use
    :func:`formateur_axe` (``ax.yaxis.set_major_formatter(formateur_axe(0, " k€"))``).
    """
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(style="whitegrid", palette=PALETTE, rc={})
    mpl.rcParams.update({
        "figure.figsize": (9.0, 5.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "font.family": "DejaVu Sans",
        "font.size": 11,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": 11,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.fontsize": 10,
        "legend.title_fontsize": 10,
        "legend.frameon": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#444444",
        "grid.color": "#e3e3e3",
        "axes.grid.axis": "y",
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.formatter.use_locale": False,
        "axes.unicode_minus": False,
    })
    try:  # crisp figures in the notebooks and in the HTML reports
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        set_matplotlib_formats("png")
        mpl.rcParams["figure.dpi"] = 110
    except Exception:  # pragma: no cover - not in a notebook
        pass


def formateur_axe(decimales: int = 0, unite: str = "", milliers: bool = True):
    """Matplotlib tick formatter in French: ``1 234,5`` with an optional unit (``" k€"``, ``" %"``…).

    ``ax.yaxis.set_major_formatter(formateur_axe(0, " €/hab."))``. For years on an axis use ``milliers=False``.
    A leading space in ``unite`` becomes a no-break space.
    """
    from matplotlib.ticker import FuncFormatter

    decimales = _verifier_decimales(decimales)
    suffixe = unite.replace(" ", ESP_INSECABLE) if unite else ""

    def _f(x: float, _pos: int | None = None) -> str:
        d = _en_decimal(x)
        if d is None:
            return ""
        return _texte_decimal(d, decimales, milliers=milliers) + suffixe

    return FuncFormatter(_f)


def _lignes_pied(fig) -> float:
    """Fraction of the figure height used by the footer texts already placed by :func:`legende_figure`."""
    return getattr(fig, "_og_pied", 0.0)


def legende_figure(fig, source: str, exemple: bool = False, millesime: str | None = None):
    """Put the source (and data vintage) line under a figure; mark it visibly when it shows sample data.

    ``source``: e.g. "DGFiP, comptes individuels des communes" ; ``millesime``: e.g. "2008-2023" (appended as
    « — données 2008-2023 »; it can also be written directly in ``source``). With ``exemple=True`` (or a frame
    whose provenance is "exemple", see :func:`est_exemple`) the figure gets a red mark
    « Données d'exemple — ne pas diffuser » in its footer and a light diagonal watermark. Returns ``fig``.
    Call it after the chart is drawn (it re-runs the layout to make room for the footer).
    """
    exemple = est_exemple(exemple)
    texte = _texte_source(source)
    if millesime:
        texte = f"{texte} — données {millesime}"
    hauteur_pt = fig.get_figheight() * 72.0
    taille = 8.5
    pied = (taille * 1.6 + 8.0) / hauteur_pt
    if exemple:
        pied = max(pied, (taille * 1.6 + 14.0) / hauteur_pt)
    fig.text(0.01, 0.012, texte, ha="left", va="bottom", fontsize=taille, color="#555555", style="italic",
             wrap=True)
    if exemple:
        fig.text(0.99, 0.012, TEXTE_EXEMPLE, ha="right", va="bottom", fontsize=taille + 0.5, color="white",
                 fontweight="bold", bbox={"boxstyle": "round,pad=0.3", "facecolor": COULEUR_EXEMPLE,
                                          "edgecolor": COULEUR_EXEMPLE})
        fig.text(0.5, 0.5, "DONNÉES D'EXEMPLE", ha="center", va="center", rotation=25, fontsize=40,
                 color=COULEUR_EXEMPLE, alpha=0.10, fontweight="bold", zorder=0)
    fig._og_pied = pied  # type: ignore[attr-defined]
    moteur = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if moteur is not None and type(moteur).__name__ == "ConstrainedLayoutEngine":
            moteur.set(rect=(0, pied, 1, 1 - pied * 0.0))
        elif moteur is None or type(moteur).__name__ in {"PlaceHolderLayoutEngine", "TightLayoutEngine"}:
            try:
                fig.tight_layout(rect=(0, pied, 1, 1))
            except Exception:
                fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, pied + 0.08))
    return fig


# ------------------------------------------------------------------------------------------------
# Maps
# ------------------------------------------------------------------------------------------------
def _aspect(ax, gdf) -> None:
    """Equal-distance aspect: for longitude/latitude, 1 / cos(latitude) as geopandas does."""
    if gdf.crs is not None and gdf.crs.is_geographic:
        bornes = gdf.total_bounds
        ax.set_aspect(1 / math.cos(math.radians((bornes[1] + bornes[3]) / 2)))
    else:
        ax.set_aspect("equal")


def carte(gdf, colonne: str, titre: str, legende: str, ax=None, cmap: str | None = None, decimales: int = 0,
          etiquettes: bool = False):
    """Choropleth of the communes (geopandas): ``colonne`` coloured, missing values grey and hatched (« n.d. »).

    ``legende`` is the colour-bar label (with the unit, e.g. "Dépenses de personnel (€/hab.)"). Numeric
    columns give a continuous colour bar with French tick labels (``decimales``); other columns a categorical
    legend. ``etiquettes=True`` writes each commune's name (column ``nom``). Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if colonne not in gdf.columns:
        raise KeyError(f"colonne « {colonne} » absente de la carte (colonnes : {list(gdf.columns)})")
    if ax is None:
        _fig, ax = plt.subplots(figsize=(8, 7))
    fig = ax.get_figure()
    manquants = gdf[colonne].isna()
    numerique = _est_numerique(gdf[colonne])
    cmap = cmap or (CMAP_SEQUENTIELLE if numerique else None)
    kw_manquants = {"color": COULEUR_ND, "hatch": "///", "edgecolor": "#8c8c8c", "linewidth": 0.5,
                    "label": ND}
    if numerique and not manquants.all():
        avec = gdf[~manquants]
        avant = set(fig.axes)
        avec.plot(column=colonne, ax=ax, cmap=cmap, edgecolor="white", linewidth=0.6, legend=True,
                  legend_kwds={"label": legende, "orientation": "horizontal", "shrink": 0.6, "pad": 0.02,
                               "format": formateur_axe(decimales)})
        nouveaux = [a for a in fig.axes if a not in avant]
        for cax in nouveaux:
            cax.xaxis.set_major_formatter(formateur_axe(decimales))
            cax.tick_params(labelsize=9)
    elif not manquants.all():
        gdf[~manquants].plot(column=colonne, ax=ax, cmap=cmap or "tab20", categorical=True, legend=True,
                             edgecolor="white", linewidth=0.6,
                             legend_kwds={"title": legende, "loc": "upper left", "bbox_to_anchor": (1.0, 1.0)})
    if manquants.any():
        gdf[manquants].plot(ax=ax, **{k: v for k, v in kw_manquants.items() if k != "label"})
        poignee = Patch(facecolor=COULEUR_ND, edgecolor="#8c8c8c", hatch="///", label=f"{ND} (non disponible)")
        ancienne = ax.get_legend()
        if ancienne is not None:
            ax.add_artist(ancienne)
        ax.legend(handles=[poignee], loc="lower left", frameon=False, fontsize=9)
    if etiquettes and "nom" in gdf.columns:
        for _, ligne in gdf.iterrows():
            p = ligne.geometry.representative_point()
            ax.annotate(str(ligne["nom"]), (p.x, p.y), ha="center", va="center", fontsize=6.5, color="#222222")
    ax.set_title(titre)
    ax.set_axis_off()
    _aspect(ax, gdf)
    return ax


def carte_situation(gdf, code_insee: str | None, titre: str | None = None, ax=None,
                    couleur: str = COULEUR_ACCENT, etiquettes: bool = True):
    """Map of the 22 communes with one commune highlighted (``code_insee``), or all of them when ``None``
    (the agglomeration). ``gdf`` has ``code_insee``, ``nom`` and ``geometry`` (table ``perimetre``)."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if ax is None:
        _fig, ax = plt.subplots(figsize=(6, 6))
    codes = gdf["code_insee"].astype(str)
    if code_insee is not None and str(code_insee) not in set(codes):
        raise KeyError(f"commune {code_insee!r} absente de la carte du périmètre")
    choisie = codes == str(code_insee) if code_insee is not None else pd.Series(True, index=gdf.index)
    if (~choisie).any():
        gdf[~choisie].plot(ax=ax, color="#eef1f5", edgecolor="#9aa5b1", linewidth=0.6)
    gdf[choisie].plot(ax=ax, color=couleur if code_insee is not None else "#c6d4e6",
                      edgecolor="#333333", linewidth=1.0)
    if etiquettes and "nom" in gdf.columns:
        # Labels are placed highlighted commune first, then by decreasing area; a label that would overlap one
        # already placed is left out (the small central communes cannot all be named legibly on a small map).
        _aspect(ax, gdf)
        fig = ax.get_figure()
        rendu = fig.canvas.get_renderer()
        with warnings.catch_warnings():  # areas only rank the communes: a geographic CRS is good enough
            warnings.simplefilter("ignore", UserWarning)
            aires = gdf.geometry.area
        ordre = sorted(gdf.index, key=lambda i: (not bool(choisie.loc[i]) or code_insee is None, -aires.loc[i]))
        places = []
        for i in ordre:
            ligne, est_choisie = gdf.loc[i], bool(choisie.loc[i])
            p = ligne.geometry.representative_point()
            texte = ax.annotate(str(ligne["nom"]), (p.x, p.y), ha="center", va="center",
                                fontsize=8 if est_choisie and code_insee is not None else 6,
                                fontweight="bold" if est_choisie and code_insee is not None else "normal",
                                color="#111111" if est_choisie else "#555555")
            boite = texte.get_window_extent(rendu).expanded(1.05, 1.15)
            if any(boite.overlaps(b) for b in places):
                texte.remove()
            else:
                places.append(boite)
    if code_insee is not None and "nom" in gdf.columns:
        nom = str(gdf.loc[choisie, "nom"].iloc[0])
        ax.legend(handles=[Patch(facecolor=couleur, edgecolor="#333333", label=nom)], loc="lower left",
                  frameon=False, fontsize=9)
    if titre:
        ax.set_title(titre)
    ax.set_axis_off()
    _aspect(ax, gdf)
    return ax
