"""Every figure of the deliverables keeps all its texts inside its frame (issue 16): the notebooks show the figure
as laid out, without the crop (``bbox_inches="tight"``) that used to take in a title, a source line or a legend
sticking out — and shrank the whole image on the printed page. Checked on the processed sample, for every figure
function of 01, 02, 10 and 03: nothing drawn outside the figure, the source line clear of the « exemple » mark and
of the charts, no title over another."""
import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from orleans_gov.base.provenance import TEXTE_EXEMPLE  # noqa: E402
from orleans_gov.base.territoire import CODES_INSEE, SIREN_AGGLO  # noqa: E402
from orleans_gov.restitution import appliquer_style  # noqa: E402
from orleans_gov.restitution import fiche_graphiques as gfi  # noqa: E402
from orleans_gov.restitution import fiche_sections as fs  # noqa: E402
from orleans_gov.restitution import finances_graphiques as gfin  # noqa: E402
from orleans_gov.restitution import organisations_graphiques as gorg  # noqa: E402
from orleans_gov.restitution import politiques_graphiques as gpol  # noqa: E402
from orleans_gov.restitution import scenarios as rs  # noqa: E402
from orleans_gov.restitution.chargement import contexte_diagnostic, contexte_fiche, contexte_organisations  # noqa: E402
from orleans_gov.restitution.chargement_scenarios import contexte_scenarios  # noqa: E402
from orleans_gov.restitution.graphiques import envelopper, legende_figure  # noqa: E402
from orleans_gov.scenarios import BLOC  # noqa: E402
from orleans_gov.scenarios.sensibilite import monte_carlo_indicateurs, tornado  # noqa: E402

TOLERANCE_PX = 1.0


def defauts_de_cadre(fig) -> list[str]:
    """What is wrong with the frame of ``fig`` once drawn: a text, a legend or a chart drawn (partly) outside the
    figure; the source line over the sample mark or over a chart; two titles over each other."""
    fig.canvas.draw()
    rendu = fig.canvas.get_renderer()
    cadre = fig.bbox
    defauts = []
    visibles = [ax for ax in fig.axes if ax.get_visible()]
    textes_figure = [t for t in fig.texts if t.get_visible() and t.get_text().strip()]
    if (fig._suptitle is not None and fig._suptitle.get_text().strip()
            and not any(t is fig._suptitle for t in textes_figure)):
        textes_figure.append(fig._suptitle)
    for a in visibles + textes_figure:
        b = a.get_tightbbox(rendu)
        if b is None:
            continue
        if (b.x0 < cadre.x0 - TOLERANCE_PX or b.y0 < cadre.y0 - TOLERANCE_PX or b.x1 > cadre.x1 + TOLERANCE_PX
                or b.y1 > cadre.y1 + TOLERANCE_PX):
            quoi = a.get_text()[:50] if isinstance(a, Text) else f"graphique « {a.get_title(loc='left')[:40]} »"
            defauts.append(f"hors du cadre : {quoi} {tuple(round(v) for v in b.extents)} "
                           f"(figure {cadre.width:.0f} × {cadre.height:.0f} px)")
    sources = [t for t in textes_figure if t.get_text().startswith("Source")]
    marques = [t for t in textes_figure if t.get_text() == TEXTE_EXEMPLE]
    for s in sources:
        bs = s.get_window_extent(rendu)
        for m in marques:
            if bs.overlaps(m.get_window_extent(rendu)):
                defauts.append(f"ligne de source sur la mention « exemple » : {s.get_text()[:50]}")
        for ax in visibles:
            if bs.overlaps(ax.get_tightbbox(rendu)):
                defauts.append(f"ligne de source sur le graphique « {ax.get_title(loc='left')[:40]} »")
    for ax in visibles:   # tick labels of one axis side by side, touching (issue 16 note: 02's heat map headers)
        for axe, nom_axe in ((ax.xaxis, "x"), (ax.yaxis, "y")):
            if not axe.get_visible():
                continue
            boites = [(t.get_text(), t.get_window_extent(rendu)) for t in axe.get_ticklabels()
                      if t.get_visible() and t.get_text().strip() and t.get_rotation() % 90 == 0]
            for (a, ba), (b, bb) in zip(boites, boites[1:]):
                if ba.overlaps(bb):
                    defauts.append(f"graduations {nom_axe} qui se touchent : « {a[:30]} » / « {b[:30]} »")
    titres = [t for ax in visibles for t in (ax.title, ax._left_title, ax._right_title)
              if t.get_visible() and t.get_text().strip()] + [t for t in textes_figure if t is fig._suptitle]
    for i, t in enumerate(titres):
        for u in titres[i + 1:]:
            if t.get_window_extent(rendu).overlaps(u.get_window_extent(rendu)):
                defauts.append(f"titres l'un sur l'autre : « {t.get_text()[:30]} » / « {u.get_text()[:30]} »")
    return defauts


def _seule(figures, i):
    """Figure ``i`` of a function that draws several, the others closed."""
    for k, f in enumerate(figures):
        if k != i:
            plt.close(f)
    return figures[i]


@pytest.fixture(scope="module")
def fabriques(donnees_construites):
    appliquer_style()
    d = contexte_diagnostic(2013, 2008, donnees_construites)
    o = contexte_organisations(2013, donnees_construites)
    fab = {
        "01 carte_population": lambda: gpol.carte_population(d),
        "01 fig_indices_strate": lambda: gfin.fig_indices_strate(d),
        "01 fig_evolution_taux_epargne": lambda: gfin.fig_evolution_taux_epargne(d),
        "01 fig_capacite": lambda: gfin.fig_capacite(d),
        "01 fig_parts_bloc": lambda: gfin.fig_parts_bloc(d),
        "01 fig_evolution_bloc": lambda: gfin.fig_evolution_bloc(d),
        "01 fig_matrice_depenses": lambda: gpol.fig_matrice_depenses(d, "fonctionnement"),
        "01 fig_integration": lambda: gpol.fig_integration(d),
        "01 cartes_politiques 0-4": lambda: _seule(gpol.cartes_politiques(d, "fonctionnement"), 0),
        "01 cartes_politiques 5-9": lambda: _seule(gpol.cartes_politiques(d, "fonctionnement"), 1),
        "01 fig_centralite": lambda: gpol.fig_centralite(d),
        "02 fig_taux_administration": lambda: gorg.fig_taux_administration(o),
        "02 fig_filieres": lambda: gorg.fig_filieres(o),
        "02 fig_categories_statuts": lambda: gorg.fig_categories_statuts(o),
        "02 fig_doublons": lambda: gorg.fig_doublons(o),
        "02 fig_police": lambda: gorg.fig_police(o),
    }
    for code in ("45234", CODES_INSEE[-1], SIREN_AGGLO):
        f = contexte_fiche(code, 2013, 2008, donnees_construites)
        fs.donnees_de_base(f)
        fs.indicateurs_financiers(f)
        fab[f"10 {code} fig_situation"] = (lambda f=f: gfi.fig_situation(f, f.table("perimetre")))
        fab[f"10 {code} fig_evolution"] = (lambda f=f: fs.evolution(f)[0])
        fab[f"10 {code} fig_depenses"] = (lambda f=f: fs.depenses(f)[0])
    c = contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)
    ref, sc = c.reference, c.reference.scenario
    fab["03 fig_trajectoire"] = lambda: rs.fig_trajectoire(ref, c.exemple)
    fab["03 fig_capacite_entites"] = lambda: rs.fig_capacite_entites(ref, c.fin, c.exemple)
    t_cd = tornado(sc, c.donnees, mesure="capacite_desendettement_fin")
    fab["03 fig_tornado"] = lambda: rs.fig_tornado(t_cd, f"Capacité de désendettement du bloc en {sc.fin} — "
                                                   f"{sc.nom}", " ans", c.exemple, sc, decimales=1)
    mcs = {n: monte_carlo_indicateurs(r.scenario, c.donnees, ("epargne_nette",), n_tirages=200)["epargne_nette"]
           for n, r in c.resultats.items()}
    fab["03 fig_bandes"] = lambda: rs.fig_bandes(mcs, [BLOC, SIREN_AGGLO], "Épargne nette annuelle : incertitude",
                                                 c.exemple, sc)
    for r in c.avec_actions:
        cf = c.contrefactuels[r.scenario.nom]
        fab[f"03 {r.scenario.nom[:20]} fig_effets_annuels"] = (lambda r=r, cf=cf: rs.fig_effets_annuels(r, cf,
                                                                                                         c.exemple))
        fab[f"03 {r.scenario.nom[:20]} fig_effets_communes"] = (lambda r=r, cf=cf: rs.fig_effets_communes(r, cf,
                                                                                                           c.exemple))
    return fab


def test_chaque_figure_tient_dans_son_cadre(fabriques):
    defauts = {}
    for nom, fabrique in fabriques.items():
        fig = fabrique()
        try:
            if d := defauts_de_cadre(fig):
                defauts[nom] = d
        finally:
            plt.close(fig)
    assert not defauts, defauts
    assert len(fabriques) >= 30   # every figure function was drawn (7 scenario pairs on the sample)


def test_la_verification_voit_un_titre_qui_deborde_et_une_source_sur_la_mention():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.set_title("un titre bien trop long pour une figure de quatre pouces de large, qui sort à droite")
    fig.text(0.01, 0.01, "Source : " + "x" * 60, fontsize=8.5)
    fig.text(0.99, 0.01, TEXTE_EXEMPLE, ha="right", fontsize=9)
    try:
        d = defauts_de_cadre(fig)
        assert any(x.startswith("hors du cadre : graphique") for x in d)
        assert any(x.startswith("ligne de source sur la mention") for x in d)
    finally:
        plt.close(fig)


def test_legende_figure_enveloppe_les_titres_trop_longs():
    appliquer_style()
    fig, axes = plt.subplots(1, 2, figsize=(7, 4.5))
    axes[1].set_title("Saint-Jean-de-la-Ruelle-sur-un-panneau-étroit")
    fig.suptitle("Un titre de figure bien trop long pour sept pouces de large, " * 2, x=0.01, ha="left")
    legende_figure(fig, "une source " * 12, exemple=True)
    try:
        assert defauts_de_cadre(fig) == []
        assert "-\n" in axes[1].get_title(loc="left")   # cut after a hyphen, the hyphen kept
        assert fig._suptitle.get_text().count("\n") >= 1
    finally:
        plt.close(fig)


class _RenduFixe:
    """A renderer whose every character is 10 px wide (hand-computable widths)."""

    def get_text_width_height_descent(self, s, prop, ismath=False):
        return 10.0 * len(s), 10.0, 2.0


def test_envelopper_a_la_main():
    t = Text(0, 0, "aa bb cc dddd")
    # « aa bb » = 5 characters = 50 px ≤ 50 ; « aa bb cc » = 80 > 50 → break ; « cc » then « cc dddd » = 70 > 50
    assert envelopper(t, _RenduFixe(), 50) == "aa bb\ncc\ndddd"
    # a word wider than the line, cut after its hyphens: « Saint-Jean- » = 110 px ≤ 120, « Saint-Jean-de- » = 140
    t = Text(0, 0, "Saint-Jean-de-Braye")
    assert envelopper(t, _RenduFixe(), 120) == "Saint-Jean-\nde-Braye"
    # wide enough: unchanged, as matplotlib's wrap=True leaves it
    assert envelopper(t, _RenduFixe(), 190) == "Saint-Jean-de-Braye"


def _png_et_dessins(fig) -> tuple[bytes, int]:
    """The PNG the notebooks show (IPython's inline formatter, as ``appliquer_style`` registers it: no crop) and
    how many times the figure was drawn to make it."""
    from IPython.core.pylabtools import print_figure

    dessins = []
    original = fig.draw

    def compte(*args, **kwargs):
        dessins.append(1)
        return original(*args, **kwargs)

    fig.draw = compte
    try:
        return print_figure(fig, "png", bbox_inches=None), len(dessins)
    finally:
        del fig.draw


def test_une_figure_mise_en_page_est_imprimee_en_un_seul_dessin():
    """issue 16: ``Figure.tight_layout`` leaves a placeholder layout engine, and matplotlib then lays the whole
    figure out once more (a draw without rendering) before printing it; a map's hidden axes were laid out at every
    title placement. ``legende_figure`` removes both; the image is the same, byte for byte."""
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    appliquer_style()
    fig, (carte, courbe) = plt.subplots(1, 2, figsize=(8, 4))
    carte.fill([0, 1, 1, 0], [0, 0, 1, 1], color="#3a7")
    carte.set_title("Une carte")
    carte.set_axis_off()
    courbe.plot([2008, 2013], [1.0, 2.5])
    courbe.set_title("Une courbe")
    legende_figure(fig, "une source", exemple=True)
    try:
        assert fig.get_layout_engine() is None
        assert not carte.xaxis.get_visible() and not carte.yaxis.get_visible()
        assert courbe.xaxis.get_visible() and courbe.yaxis.get_visible()   # an axis that is on stays as it is
        png, dessins = _png_et_dessins(fig)
        assert dessins == 1
        # as matplotlib leaves it: the placeholder engine and the map's axes visible — two draws, the same image
        fig.set_layout_engine(PlaceHolderLayoutEngine(adjust_compatible=True, colorbar_gridspec=True))
        carte.xaxis.set_visible(True)
        carte.yaxis.set_visible(True)
        png_avant, dessins_avant = _png_et_dessins(fig)
        assert dessins_avant == 2
        assert png_avant == png
    finally:
        plt.close(fig)


def test_chaque_figure_des_livrables_est_imprimee_en_un_seul_dessin(fabriques):
    """One figure of each kind (map grid, small multiples, heat map, fiche, scenario): printed with one draw."""
    for nom in ("01 cartes_politiques 5-9", "01 fig_evolution_taux_epargne", "02 fig_doublons",
                f"10 {SIREN_AGGLO} fig_situation", "03 fig_trajectoire"):
        fig = fabriques[nom]()
        try:
            assert _png_et_dessins(fig)[1] == 1, nom
        finally:
            plt.close(fig)


def test_coupures_syllabiques_et_envelopper_court_a_la_main():
    from orleans_gov.restitution.graphiques import coupures_syllabiques, envelopper_court

    # com-mu-ni-ca-tion: VC-CV (m|m), then V-CV (u|n, i|c, a|t); « commun|i » no (a vowel begins no syllable)
    assert coupures_syllabiques("communication") == [3, 5, 7, 9]
    # in-for-ma-ti-que: n|f and r|m split (VC-CV), a|t and i|q (V-CV); 3 letters at least after the break
    assert coupures_syllabiques("informatique") == [2, 5, 7, 9]
    # « tr », « ch » never split: pa-tri-moine not pat-rimoine, ar-chi-ves not arc-hives
    assert 3 not in coupures_syllabiques("patrimoine") and 2 in coupures_syllabiques("patrimoine")
    assert coupures_syllabiques("archives") == [2, 5]   # ar-chi-ves
    # 10 characters a line: « communica- » is 10 with its hyphen; a word that fits is left whole
    assert envelopper_court("communication", 10) == "communica-\ntion"
    assert envelopper_court("juridique et commande publique", 11) == "juridique\net commande\npublique"
    assert envelopper_court("finances", 10) == "finances"


def test_png_des_carnets_au_niveau_1_sans_perte(tmp_path):
    """In a notebook, :func:`appliquer_style` prints each figure's PNG at zlib level 1 (issue 16): the same pixels as
    matplotlib's default level 6, decoded; only the size and the time differ."""
    import subprocess
    import sys

    from PIL import Image
    code = ("from IPython.core.interactiveshell import InteractiveShell\n"
            "sh = InteractiveShell.instance(); sh.enable_gui = lambda gui=None: None\n"
            "sh.run_line_magic('matplotlib', 'inline')\n"
            "from orleans_gov.restitution.graphiques import appliquer_style\n"
            "appliquer_style()\n"
            "from matplotlib.figure import Figure\n"
            "f = sh.display_formatter.formatters['image/png'].lookup_by_type(Figure)\n"
            "print(f.keywords.get('pil_kwargs'), f.keywords.get('bbox_inches'))\n")
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert sortie.strip().splitlines()[-1] == "{'compress_level': 1} None"
    import numpy as np
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [2, 0, 1], label="série")
    ax.set_title("Épargne nette (M€)")
    legende_figure(fig, "DGFiP", exemple=True)
    tailles = {}
    for niveau in (1, 6):
        fig.savefig(tmp_path / f"n{niveau}.png", dpi=110, pil_kwargs={"compress_level": niveau})
        tailles[niveau] = (tmp_path / f"n{niveau}.png").stat().st_size
    plt.close(fig)
    a, b = (np.asarray(Image.open(tmp_path / f"n{n}.png")) for n in (1, 6))
    assert a.shape == b.shape and (a == b).all() and tailles[1] != tailles[6]
