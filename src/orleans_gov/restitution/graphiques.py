"""House style of the charts (matplotlib/seaborn): palette, theme, French axis formatters, the source line and the
sample mark under every figure (DESIGN.md §4)."""
from __future__ import annotations

import functools
import math
import textwrap
import warnings
from contextlib import contextmanager

from orleans_gov.base.provenance import TEXTE_EXEMPLE
from orleans_gov.restitution.bandeau import COULEUR_EXEMPLE, est_exemple, texte_source
from orleans_gov.restitution.formats import ESP_INSECABLE, _en_decimal, _texte_decimal, _verifier_decimales

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
# One meaning per colour in every document (issue 14): levels, Orléans, sections, reference, status.
COULEUR_COMMUNES = PALETTE[0]       # bleu marine : les communes (ou la commune d'une fiche)
COULEUR_AGGLO = PALETTE[1]          # ambre : l'agglomération
COULEUR_ORLEANS = PALETTE[5]        # rose : Orléans, partout
COULEUR_REFERENCE = PALETTE[6]      # gris : moyenne de strate, reste du territoire, repères
COULEUR_FONCTIONNEMENT = PALETTE[4]  # bleu ciel : section de fonctionnement
COULEUR_INVESTISSEMENT = PALETTE[7]  # jaune foncé : section d'investissement
COULEUR_FAVORABLE = PALETTE[2]      # vert : satisfaisant, sous la strate
COULEUR_VIGILANCE = PALETTE[7]      # jaune foncé : vigilance
COULEUR_ALERTE = PALETTE[3]         # vermillon : alerte, au-dessus de la strate
PALETTE_CATEGORIES: list[str] = [PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[7], PALETTE[3], PALETTE[6], "#8c564b",
                                 "#17becf"]
"""Colours of categories (filières, strates, communes other than Orléans): neither the agglomeration's amber nor
Orléans's rose."""
NOMS_COULEURS: dict[str, str] = {PALETTE[0]: "bleu marine", PALETTE[1]: "ambre", PALETTE[2]: "vert",
                                 PALETTE[3]: "vermillon", PALETTE[4]: "bleu ciel", PALETTE[5]: "rose",
                                 PALETTE[6]: "gris", PALETTE[7]: "jaune foncé"}
"""French name of each house colour, for the captions (« en vermillon », never « en rouge » for an orange bar)."""


def nom_couleur(couleur: str) -> str:
    """French name of a house colour: ``nom_couleur(COULEUR_ALERTE)`` → « vermillon »."""
    return NOMS_COULEURS[couleur]


def couleur_entite(code: str) -> str:
    """The colour of an entity wherever it is drawn alone: Orléans rose, the agglomeration amber, a commune navy."""
    return COULEUR_ORLEANS if str(code) == "45234" else (COULEUR_AGGLO if str(code) == "244500468"
                                                         else COULEUR_COMMUNES)


def couleurs_communes(codes) -> list[str]:
    """One colour per commune of a chart of several communes: Orléans rose, the others from
    :data:`PALETTE_CATEGORIES` in order."""
    autres = iter(PALETTE_CATEGORIES * 4)
    return [COULEUR_ORLEANS if str(c) == "45234" else next(autres) for c in codes]


COULEUR_PRINCIPALE = PALETTE[0]
COULEUR_ACCENT = PALETTE[3]
COULEUR_ND = "#d9d9d9"
COULEUR_GRILLE = "#e3e3e3"
CMAP_SEQUENTIELLE = "Blues"
CMAP_DIVERGENTE = "RdBu_r"


def appliquer_style() -> None:
    """Apply the house matplotlib/seaborn theme (call once per notebook, after the imports).

    Readable sizes for a printed A4 page, light horizontal grid, no top/right spines, the house ``PALETTE``
    as colour cycle, figures rendered at a resolution fit for print. Axis ticks in French: use
    :func:`formateur_axe` (``ax.yaxis.set_major_formatter(formateur_axe(0, " k€"))``).
    """
    import matplotlib as mpl  # lazy: keeps ``import orleans_gov`` light
    import seaborn as sns  # lazy, as matplotlib

    sns.set_theme(style="whitegrid", palette=PALETTE, rc={})
    mpl.rcParams.update({
        "figure.figsize": (9.0, 5.0),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        # the figure as laid out (legende_figure keeps every text inside it, tests/test_figures_cadre.py), not
        # cropped again: the crop costs two more layout passes of the whole figure at each display (issue 16)
        "savefig.bbox": "standard",
        "font.family": "DejaVu Sans",
        # glyphs drawn unhinted: legible at 110–150 dpi (bench/RESULTS_figures.md, PNG compared side by side) and
        # 13–17 % less drawing time than FreeType's default hinting (issue 16)
        "text.hinting": "no_hinting",
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
        "grid.color": COULEUR_GRILLE,
        "axes.grid.axis": "y",
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.formatter.use_locale": False,
        "axes.unicode_minus": False,
    })
    try:  # crisp figures in the notebooks and in the HTML reports
        from matplotlib_inline.backend_inline import set_matplotlib_formats  # lazy, as matplotlib
        # zlib level 1 for the PNG of each figure: the same pixels, 9 % larger, 10 ms less per figure (20 in 03;
        # bench/RESULTS_figures.md)
        set_matplotlib_formats("png", bbox_inches=None, pil_kwargs={"compress_level": NIVEAU_COMPRESSION_PNG})
        mpl.rcParams["figure.dpi"] = 110
    except Exception:  # pragma: no cover - not in a notebook
        pass


NIVEAU_COMPRESSION_PNG = 1
"""zlib level of the figures' PNG in the notebooks and reports (lossless: the level changes size and time only)."""


def formateur_axe(decimales: int = 0, unite: str = "", milliers: bool = True):
    """Matplotlib tick formatter in French: ``1 234,5`` with an optional unit (``" k€"``, ``" %"``…).

    ``ax.yaxis.set_major_formatter(formateur_axe(0, " €/hab."))``. For years on an axis use ``milliers=False``.
    A leading space in ``unite`` becomes a no-break space.
    """
    from matplotlib.ticker import FuncFormatter  # lazy: keeps ``import orleans_gov`` light

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


def _renderer(fig):
    """The Agg renderer of ``fig`` (Agg and inline backends), or None for another backend."""
    obtenir = getattr(fig.canvas, "get_renderer", None)
    return obtenir() if obtenir is not None else None


def envelopper(texte, renderer, largeur_px: float) -> str:
    """The lines of a figure text as matplotlib's ``wrap=True`` breaks them (greedy, at spaces, a word per line at
    least, on the rendered width rounded up to the pixel), computed once.

    With ``wrap=True`` matplotlib re-measures every word of the line at each layout pass and each draw (≈ 0,12 s a
    figure, issue 16); the text is then set with its line breaks and ``wrap=False``. ``texte`` is a matplotlib
    ``Text`` (its font), ``largeur_px`` the width available from its anchor to the figure edge."""
    prop = texte.get_fontproperties()

    @functools.lru_cache(maxsize=None)
    def largeur(ligne: str) -> int:
        return math.ceil(renderer.get_text_width_height_descent(ligne, prop, ismath=False)[0])

    lignes = []
    for brute in texte.get_text().split("\n"):
        mots = [m for mot in brute.split(" ") for m in _couper_mot(mot, largeur, largeur_px)]
        while mots:
            n = _mots_qui_tiennent(mots, largeur, largeur_px)
            lignes.append(" ".join(mots[:n]))
            mots = mots[n:]
    return "\n".join(lignes).replace("\u2060 ", "").replace("\u2060", "")


def _mots_qui_tiennent(mots: list[str], largeur, largeur_px: float) -> int:
    """How many of ``mots`` (one at least) the line takes: the greedy break of matplotlib, found from the sum of
    the words' widths and then checked on the measured width of the line (2 or 3 measures instead of one per
    word)."""
    espace = largeur("a a") - largeur("aa")
    n, somme = 0, -espace
    while n < len(mots) and somme + espace + largeur(mots[n]) <= largeur_px:
        somme += espace + largeur(mots[n])
        n += 1
    n = max(n, 1)
    while n > 1 and largeur(" ".join(mots[:n])) > largeur_px:
        n -= 1
    while n < len(mots) and largeur(" ".join(mots[:n + 1])) <= largeur_px:
        n += 1
    return n


def _couper_mot(mot: str, largeur, largeur_px: float) -> list[str]:
    """A word wider than the line (« Saint-Jean-de-la-Ruelle » over a narrow panel) cut after its hyphens: the
    pieces but the last end with ``-`` + U+2060, a mark taken away with the space that joins two pieces left on
    the same line."""
    if "-" not in mot or largeur(mot) <= largeur_px:
        return [mot]
    morceaux, courant = [], ""
    for partie in mot.split("-")[:-1]:
        if courant and largeur(courant + partie + "-") > largeur_px:
            morceaux.append(courant + "\u2060")
            courant = ""
        courant += partie + "-"
    fin = mot.split("-")[-1]
    if courant and largeur(courant + fin) > largeur_px:
        morceaux.append(courant + "\u2060")
        courant = ""
    return morceaux + [courant + fin]


_VOYELLES = frozenset("aeiouyàâäéèêëîïôöùûüÿœæ")
_CONSONNES_INSECABLES = frozenset({"bl", "br", "ch", "cl", "cr", "dr", "fl", "fr", "gl", "gn", "gr", "ph", "pl",
                                   "pr", "th", "tr", "vr"})


def coupures_syllabiques(mot: str) -> list[int]:
    """Where a French word may be broken at the end of a line (``mot[:i] + "-"`` / ``mot[i:]``), by the basic
    rules of syllable division: a consonant between two vowels begins the next syllable (com-mu-ni-**ca**-tion);
    two consonants between vowels are split (in-**for**-ma-tique), except the pairs that are never split (br, ch,
    pl, tr…), which begin the next syllable (pa-**tri**-moine, ar-**chi**-ves). Two letters at least on the first
    line, three on the second."""
    m = mot.lower()
    coupures = []
    for i in range(2, len(m) - 2):   # break before m[i]
        avant, lettre, apres = m[i - 1], m[i], m[i + 1]
        if not (lettre.isalpha() and avant.isalpha()) or lettre in _VOYELLES:
            continue
        if lettre + apres in _CONSONNES_INSECABLES:                             # (V|C)-CCV: pa-tri, ar-chi
            if m[i + 2] in _VOYELLES:
                coupures.append(i)
        elif apres not in _VOYELLES:
            continue
        elif avant in _VOYELLES:                                                 # V-CV: co-mu
            coupures.append(i)
        elif m[i - 2] in _VOYELLES and avant + lettre not in _CONSONNES_INSECABLES:   # VC-CV: com-mu
            coupures.append(i)
    return coupures


def envelopper_court(texte: str, largeur: int) -> str:
    """``texte`` on lines of at most ``largeur`` characters (at spaces, like ``textwrap.fill``), a word longer
    than a line broken at a syllable with a hyphen (:func:`coupures_syllabiques`) rather than running into the
    next label (« communication » over a narrow column of the heat map of 02)."""
    lignes = []
    for ligne in textwrap.wrap(texte, largeur, break_long_words=False, break_on_hyphens=False):
        while len(ligne) > largeur and " " not in ligne:
            possibles = [i for i in coupures_syllabiques(ligne) if i + 1 <= largeur]
            if not possibles:
                break
            lignes.append(ligne[:possibles[-1]] + "-")
            ligne = ligne[possibles[-1]:]
        lignes.append(ligne)
    return "\n".join(lignes)


def _texte_enveloppe(fig, x: float, y: float, texte: str, droite: float = 1.0, **kw):
    """``fig.text`` wrapped at ``droite`` (figure fraction; the right edge by default), ha="left", line breaks
    computed once (:func:`envelopper`); ``wrap=True`` when the backend has no Agg renderer."""
    t = fig.text(x, y, texte, ha="left", **kw)
    rendu = _renderer(fig)
    if rendu is None:  # pragma: no cover - non-Agg backend
        t.set_wrap(True)
        return t
    t.set_text(envelopper(t, rendu, fig.bbox.width * (droite - x)))
    return t


class _BoitesMemorisees:
    """During one ``tight_layout``: each axes' layout box measured once.

    ``fig.tight_layout(rect=…)`` runs matplotlib's ``_auto_adjust_subplotpars`` twice, the second time only to
    apply ``rect``; between the two nothing moves (the subplot parameters are applied at the end), so both measure
    the same boxes — a full layout of every tick label, title and legend, twice (issue 16). The first measure is
    kept for the second: the subplot parameters found are the same."""

    def __init__(self, fig):
        self.axes = list(fig.axes)

    def __enter__(self):
        for ax in self.axes:
            memo: dict = {}
            original = ax.get_tightbbox

            def memorise(*args, _o=original, _m=memo, **kwargs):
                cle = (tuple(id(a) for a in args), tuple(sorted(kwargs.items(), key=lambda kv: kv[0])))
                try:
                    hash(cle)
                except TypeError:  # pragma: no cover - unhashable argument: not memorised
                    return _o(*args, **kwargs)
                if cle not in _m:
                    _m[cle] = _o(*args, **kwargs)
                return _m[cle]

            ax.get_tightbbox = memorise
        return self

    def __exit__(self, *exc):
        for ax in self.axes:
            ax.__dict__.pop("get_tightbbox", None)
        return False


def legende_figure(fig, source: str, exemple: bool = False, millesime: str | None = None):
    """Put the source (and data vintage) line under a figure; mark it visibly when it shows sample data.

    ``source``: e.g. "DGFiP, comptes individuels des communes" ; ``millesime``: e.g. "2008-2023" (appended as
    « — données 2008-2023 »; it can also be written directly in ``source``). With ``exemple=True`` (or a frame
    whose provenance is "exemple", see :func:`est_exemple`) the figure gets a red mark
    « Données d'exemple — ne pas diffuser » in its footer and a light diagonal watermark. Returns ``fig``.
    Call it after the chart is drawn: it lays the figure out once (``tight_layout``, each axes measured once),
    room made for every line of the footer; the source line stops before the sample mark, and a figure title or an
    axes title that would leave the frame (or run over the next panel) is wrapped. The notebooks show the figure
    as laid out, without a second crop (``savefig.bbox = "standard"``, :func:`appliquer_style`): every text must
    be inside it (tests/test_figures_cadre.py).
    """
    exemple = est_exemple(exemple)
    texte = texte_source(source)
    if millesime:
        texte = f"{texte} — données {millesime}"
    hauteur_pt = fig.get_figheight() * 72.0
    taille = 8.5
    pied = (taille * 1.6 + 8.0) / hauteur_pt
    if exemple:
        pied = max(pied, (taille * 1.6 + 14.0) / hauteur_pt)
    rendu = _renderer(fig)
    droite = 1.0
    if exemple:
        marque = fig.text(0.99, 0.012, TEXTE_EXEMPLE, ha="right", va="bottom", fontsize=taille + 0.5,
                          color="white", fontweight="bold",
                          bbox={"boxstyle": "round,pad=0.3", "facecolor": COULEUR_EXEMPLE, "edgecolor": COULEUR_EXEMPLE})
        if rendu is not None:  # the source line stops before the mark (it ran under it, issue 16)
            droite = (marque.get_window_extent(rendu).x0 - MARGE_TITRE_PO * fig.dpi) / fig.bbox.width
        _filigrane(fig)
    t = _texte_enveloppe(fig, 0.01, 0.012, texte, droite=droite, va="bottom", fontsize=taille, color="#555555",
                         style="italic")
    # room for every line of the source (one line: the height above; each more line: its 1,2 × size)
    pied += (t.get_text().count("\n")) * taille * 1.2 / hauteur_pt
    fig._og_pied = pied  # type: ignore[attr-defined]
    if rendu is not None and fig._suptitle is not None:  # a title longer than the figure: wrapped, not cut
        _envelopper_titre(fig._suptitle, rendu, fig)
    _axes_eteints_sans_graduations(fig)
    moteur = fig.get_layout_engine() if hasattr(fig, "get_layout_engine") else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if moteur is not None and type(moteur).__name__ == "ConstrainedLayoutEngine":
            moteur.set(rect=(0, pied, 1, 1 - pied * 0.0))
        elif moteur is None or type(moteur).__name__ in {"PlaceHolderLayoutEngine", "TightLayoutEngine"}:
            try:
                with _BoitesMemorisees(fig):
                    fig.tight_layout(rect=(0, pied, 1, 1))
                if rendu is not None and _envelopper_titres_axes(fig, rendu):
                    with _BoitesMemorisees(fig):
                        fig.tight_layout(rect=(0, pied, 1, 1))
            except Exception:
                fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, pied + 0.08))
            _sans_moteur(fig)
    return fig


def _axes_eteints_sans_graduations(fig) -> None:
    """Hide the x and y axes (ticks, tick labels) of every axes whose axis is off (``set_axis_off``: maps).

    An axes with its axis off never draws them, but matplotlib still lays out their tick labels whenever it places
    a title (``_update_title_position`` measures the y axis for each title) — for a map, the Lambert-93 coordinates
    nobody sees, at every layout and every draw (issue 16). Hidden, they are not laid out; nothing drawn changes."""
    for ax in fig.axes:
        if not ax.axison:
            ax.xaxis.set_visible(False)
            ax.yaxis.set_visible(False)


def _sans_moteur(fig) -> None:
    """Leave a figure laid out by ``tight_layout`` without a layout engine, as it was before.

    ``Figure.tight_layout`` leaves a ``PlaceHolderLayoutEngine`` behind, and ``print_figure`` runs a full
    (non-rendering) draw before printing any figure that has an engine: every tick label, title and legend laid
    out once more for nothing, since the placeholder moves nothing (issue 16: a third of each figure's printing).
    Without an engine the figure is printed with one draw, as laid out."""
    if hasattr(fig, "set_layout_engine") and type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine":
        fig.set_layout_engine(None)


MARGE_TITRE_PO = 0.05
"""Room (inches) kept between a title and the edge of the figure."""


def _filigrane(fig) -> None:
    """The diagonal « DONNÉES D'EXEMPLE » watermark, 40 pt, smaller on a low figure so that it stays inside it."""
    t = fig.text(0.5, 0.5, "DONNÉES D'EXEMPLE", ha="center", va="center", rotation=25, fontsize=40,
                 color=COULEUR_EXEMPLE, alpha=0.10, fontweight="bold", zorder=0)
    rendu = _renderer(fig)
    if rendu is not None:
        e = t.get_window_extent(rendu)
        echelle = min(1.0, 0.95 * fig.bbox.height / e.height, 0.95 * fig.bbox.width / e.width)
        if echelle < 1.0:
            t.set_fontsize(math.floor(40 * echelle))


def _envelopper_titre(t, rendu, fig, limite: float | None = None) -> bool:
    """Wrap title ``t`` when it goes past the left or right edge of the figure (or ``limite``, in pixels: the
    next panel on its right); True when it was wrapped."""
    e = t.get_window_extent(rendu)
    marge = MARGE_TITRE_PO * fig.dpi
    gauche, droite = fig.bbox.x0 + marge, fig.bbox.x1 - marge
    if limite is not None:
        droite = min(droite, limite - marge)
    if e.x0 >= gauche and e.x1 <= droite:
        return False
    ha = t.get_horizontalalignment()
    if ha == "left":
        largeur = droite - e.x0
    elif ha == "right":
        largeur = e.x1 - gauche
    else:
        centre = (e.x0 + e.x1) / 2
        largeur = 2 * min(centre - gauche, droite - centre)
    avant = t.get_text()
    t.set_text(envelopper(t, rendu, largeur))
    return t.get_text() != avant


def _envelopper_titres_axes(fig, rendu) -> bool:
    """Wrap the axes titles that go past the figure once it is laid out; True when one was wrapped."""
    change = False
    visibles = [ax for ax in fig.axes if ax.get_visible()]
    for ax in visibles:
        ax.apply_aspect()  # a map (equal aspect) is narrowed at draw time: its title moves with it
    for ax in visibles:
        for t in (ax.title, ax._left_title, ax._right_title):
            if t.get_visible() and t.get_text().strip():
                e = t.get_window_extent(rendu)
                # the panels on the right of this one, in the band of its title (small multiples: a long commune
                # name ran over the title of the next panel)
                voisins = [v.bbox.x0 for v in visibles if v.bbox.x0 > ax.bbox.x0 + 1
                           and v.bbox.y0 < e.y1 and v.bbox.y1 + e.height > e.y0]
                change = _envelopper_titre(t, rendu, fig, min(voisins, default=None)) or change
    return change


def legende_enveloppee(fig, source: str, exemple=False, millesime: str | None = None):
    """:func:`legende_figure` with the source line wrapped to the figure's width (about 9.5 characters per inch), so
    that a long source stays clear of the sample mark."""
    return legende_figure(fig, textwrap.fill(source, int(fig.get_figwidth() * 9.5)), exemple=exemple,
                          millesime=millesime)


@contextmanager
def sans_dessin_force(fig):
    """No full draw of ``fig`` inside the block: ``seaborn.heatmap`` draws the whole figure (0,25 s) only to test
    whether its tick labels overlap, and rotates them if so; the figures set the rotation of their labels
    themselves (issue 16: PNGs byte-compared before/after)."""
    canvas = fig.canvas
    canvas.draw = lambda *args, **kwargs: None
    fig.draw = lambda *args, **kwargs: None
    try:
        yield
    finally:
        del canvas.draw
        del fig.draw


def grille_verticale(ax) -> None:
    """Light vertical grid only (horizontal bar charts: the values are read along the x axis)."""
    ax.grid(axis="x", color=COULEUR_GRILLE)
    ax.grid(axis="y", visible=False)


def annees_en_abscisse(ax) -> None:
    """Years on the x axis, written without thousands separator (2014, not 2 014)."""
    ax.xaxis.set_major_formatter(formateur_axe(0, milliers=False))


def unite_axe(unite: str) -> str:
    """The suffix of an axis tick for a vocabulary unit (« % », « €/hab. », « k€ », « ans »…), leading space
    included; empty for plain numbers."""
    return {"€/hab": " €/hab.", "années": " ans", "%": " %", "k€": " k€", "M€": " M€", "€": " €"}.get(unite, "")

