"""Print (issue 14): no table of the deliverables is wider than its page. Every table is laid out by headless
Chromium with the deliverables' style sheet, print rules applied, in a box as wide as the printable A4 width
(portrait, or landscape for the tables the code sends to a landscape page); its rendered width is measured.
Skips cleanly without Chromium."""
import json
import re
import shutil
import subprocess
from importlib import resources

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from orleans_gov.restitution import appliquer_style, fiche, finances, organisations, politiques
from orleans_gov.restitution import scenarios as rs
from orleans_gov.restitution.chargement import contexte_diagnostic, contexte_fiche, contexte_organisations
from orleans_gov.restitution.chargement_scenarios import contexte_scenarios
from orleans_gov.restitution.fiche_sections import donnees_de_base, indicateurs_financiers
from orleans_gov.restitution.fragments import Html
from orleans_gov.restitution.glossaire import glossaire
from orleans_gov.restitution.organisations_graphiques import fig_doublons
from orleans_gov.restitution.politiques_pont import pont_fonction_nature
from orleans_gov.restitution.rapprochement import section_rapprochement
from orleans_gov.restitution.tableaux import LARGEUR_PAYSAGE, LARGEUR_PORTRAIT, largeur_estimee, tableau, tableau_termes
from orleans_gov.scenarios import synthese_comparaison

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PX_MM = 96 / 25.4
PORTRAIT_PX = round((210 - 24) * PX_MM)   # A4 portrait, 12 mm margins (rapport.css @page)
PAYSAGE_PX = round((297 - 24) * PX_MM)    # A4 landscape, same margins

SCRIPT = """<script>
window.addEventListener('load', () => {
  const r = [];
  document.querySelectorAll('table.og-tableau').forEach((t, i) => {
    const large = t.closest('.og-large') !== null;
    r.push({i: i, titre: (t.caption ? t.caption.textContent : '').slice(0, 80), large: large,
            largeur: Math.ceil(t.getBoundingClientRect().width), page: large ? %d : %d});
  });
  const p = document.createElement('pre'); p.id = 'og-mesures'; p.textContent = JSON.stringify(r);
  document.body.appendChild(p);
});
</script>""" % (PAYSAGE_PX, PORTRAIT_PX)


def _css() -> str:
    css = (resources.files("orleans_gov.rendu") / "templates" / "orleans_gov" / "rapport.css").read_text("utf-8")
    # the print rules, applied on screen: Chromium's layout of the printed page
    return css.replace("@media print", "@media all")


def _page(tables: list[str]) -> str:
    boites = "".join(f'<div class="og-boite">{t}</div>' for t in tables)
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><style>{_css()}"
            f".og-boite {{ width: {PORTRAIT_PX}px; }} .og-boite:has(.og-large) {{ width: {PAYSAGE_PX}px; }}"
            f"</style></head><body><main class='og-page'><div class='og-corps'>{boites}</div></main>{SCRIPT}"
            "</body></html>")


def _mesurer(html: str, tmp_path) -> list[dict]:
    f = tmp_path / "tables.html"
    f.write_text(html, encoding="utf-8")
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          f"--user-data-dir={tmp_path / 'profil'}", "--dump-dom", f.as_uri()],
                         capture_output=True, text=True, timeout=120)
    m = re.search(r'<pre id="og-mesures">(.*?)</pre>', out.stdout, re.S)
    assert m, out.stderr[-2000:]
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def _html_tableaux(objets) -> list[str]:
    """The tables among the objects a deliverable shows (Html with an ``og-tableau``; figures and text skipped)."""
    return [o.html for o in objets if isinstance(o, Html) and "og-tableau" in o.html]


@pytest.fixture(scope="session")
def projection(donnees_construites):
    """One projection of every shipped scenario (the slow part of 03 and 04), shared by the tests of the session."""
    return contexte_scenarios(None, 2013, [2014, 2020], donnees_construites)


def _tables_01(d) -> list[Html]:
    tcam = finances.tableau_tcam(d.indicateurs, ("rrf", "drf", "personnel", "epargne_brute", "encours_dette"),
                                 d.annee_debut, d.annee)
    t = [tableau_termes(politiques.tableau_population(d), titre="01 population"),
         tableau_termes(finances.tableau_indicateurs(d.indicateurs, d.comparaison, d.annee), titre="01 indicateurs"),
         tableau_termes(finances.tableau_ratios_legaux(d.indicateurs, d.annee), titre="01 ratios"),
         tableau(tcam, formats={c: ("pourcent", 1) for c in tcam.columns}, titre="01 TCAM"),
         tableau_termes(finances.tableau_bloc(d.bloc, d.annee), titre="01 bloc"),
         tableau_termes(politiques.tableau_integration(d.depenses, d.annee, d.exemple_dep), titre="01 intégration"),
         tableau_termes(pont_fonction_nature(d.depenses, d.fin_communes, d.fin_agglo, d.annee),
                        titre="01 nature et fonction"),
         tableau_termes(politiques.tableau_centralite(d.centralite, d.exemple_dep), titre="01 centralité"),
         tableau_termes(politiques.tableau_competences(d.matrice_competences), titre="01 compétences"),
         tableau_termes(politiques.tableau_competences_par_fonction(d.competences, d.depenses, d.annee),
                        titre="01 compétences par fonction")]
    if len(d.ecarts):
        t.append(tableau_termes(politiques.tableau_ecarts(d.ecarts), titre="01 écarts"))
    return t


def _tables_02(o) -> list[Html]:
    police, formats_police = organisations.tableau_police(o.police)
    return [tableau_termes(organisations.tableau_personnel(o), fractions=organisations.FRACTIONS, titre="02 personnel"),
            tableau_termes(organisations.tableau_strate(o), titre="02 strate"),
            tableau_termes(organisations.tableau_duplications(organisations.duplications(o)), titre="02 doublons"),
            tableau_termes(organisations.tableau_competences_exercees(o), titre="02 compétences exercées"),
            tableau(police, formats=formats_police, titre="02 police")]


def _tables_03_04(ctx) -> list[str]:
    """Every table of 03 (hypotheses, entities, balance, each scenario's section, comparison) and of 04 (side by
    side, one page per scenario), as the notebooks build them."""
    ref = ctx.reference
    fin = ref.scenario.fin
    t = [tableau_termes(rs.tableau_hypotheses(ref.scenario), titre="03 hypothèses"),
         tableau(rs.tableau_entites(ref, [2013, fin]), formats=rs.formats_entites([2013, fin]), titre="03 entités"),
         tableau(rs.ruptures_equilibre(ref), titre="03 équilibre"),
         tableau(rs.tableau_comparaison_transpose(synthese_comparaison(list(ctx.resultats.values()))),
                 titre="03 comparaison")]
    html = [x.html for x in t]
    for r in ctx.avec_actions:
        html += _html_tableaux(rs.elements_scenario(r, ctx.contrefactuels[r.scenario.nom], ctx.exemple))
    html += _html_tableaux([rs.tableau_synthese(ctx.resultats, ctx.contrefactuels, ctx.exemple)])
    for r in ctx.avec_actions:
        html += _html_tableaux(rs.page_scenario(r, ctx.contrefactuels[r.scenario.nom], ctx.exemple))
    return html


def _tables_des_livrables(projection) -> list[str]:
    t = _tables_01(contexte_diagnostic(2013, 2008, None)) + _tables_02(contexte_organisations(2013, None))
    html = [x.html for x in t] + _html_tableaux(section_rapprochement(None, niveau=3))
    c = contexte_fiche("45234", 2013, 2008, None)
    donnees_de_base(c)
    indicateurs_financiers(c)
    ind, cmp_ = c.tables["_indicateurs"], c.tables["_comparaison"]
    html += [tableau_termes(fiche.tableau_finances(c.entite, ind, cmp_, c.annee), titre="fiche finances").html,
             tableau_termes(fiche.tableau_ratios(c.entite, ind, c.annee), titre="fiche ratios").html]
    return html + _tables_03_04(projection) + [glossaire().html]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent : mesure de largeur impossible")
def test_aucun_tableau_plus_large_que_sa_page(tmp_path, projection):
    tables = _tables_des_livrables(projection)
    mesures = _mesurer(_page(tables), tmp_path)
    assert len(mesures) == sum(h.count('<table class="og-tableau"') for h in tables) >= 40
    trop = [m for m in mesures if m["largeur"] > m["page"]]
    assert not trop, "tableaux rognés à l'impression : " + "; ".join(
        f"{m['titre']} {m['largeur']} px > {m['page']} px" for m in trop)
    # the competence matrix of 01 (issue 14: six columns lost in portrait) goes to a landscape page
    assert next(m for m in mesures if m["titre"].startswith("01 compétences"))["large"]


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent : mesure de largeur impossible")
def test_la_mesure_voit_un_tableau_trop_large(tmp_path):
    """The measure can fail: a table of long unbreakable numbers is wider than a portrait page."""
    import pandas as pd  # noqa: PLC0415

    from orleans_gov.restitution.tableaux import tableau  # noqa: PLC0415
    df = pd.DataFrame({f"c{i}": [10 ** 12 + i] for i in range(40)})
    h = tableau(df, titre="trop large").html.replace(" og-large", "")  # forced portrait
    m = _mesurer(_page([h]), tmp_path)[0]
    assert m["largeur"] > m["page"]


def test_largeur_estimee_a_la_main():
    # « Population totale » → longest word 10 (> « 1 234 », 5) → 12; « Saint-Jean » 10 (> « Nom ») → 12
    assert largeur_estimee(["Nom", "Population totale"], [["Saint-Jean", "1 234"]]) == 24
    # a long text cell wraps at 28 characters
    assert largeur_estimee(["Note"], [["mot " * 20]]) == 30
    assert LARGEUR_PORTRAIT < LARGEUR_PAYSAGE


def _plus_petit_corps_imprime(fig) -> float:
    """Smallest text of a figure once printed: the image (tight box) is scaled to fit 186 × 125 mm (rapport.css:
    A4 width less the margins; ``max-height: 125mm`` of the figures), never enlarged."""
    fig.canvas.draw()
    bb = fig.get_tightbbox(fig.canvas.get_renderer())
    echelle = min(186 / 25.4 / bb.width, 125 / 25.4 / bb.height, 1.0)
    textes = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(t.get_fontsize() for t in textes) * echelle


def test_carte_des_doublons_lisible_a_l_impression():
    """Issue 14: the duplication heatmap of 02 printed at about 4 pt; every text must be ≥ 7 pt at print size."""
    appliquer_style()
    fig = fig_doublons(contexte_organisations(2013, None))
    try:
        assert _plus_petit_corps_imprime(fig) >= 7.0
        # the grid keeps most of the figure (a layout squeezed by tall labels made it a thin strip, unreadable)
        assert fig.axes[0].get_position().height >= 0.6
    finally:
        plt.close(fig)


def test_cartes_des_politiques_lisibles_a_l_impression():
    """The ten policy maps of 01 printed their panel titles at about 5 pt on one 18 in figure: two figures of
    five maps now, every text ≥ 7 pt at print size, all on one colour scale."""
    from orleans_gov.restitution.politiques_graphiques import cartes_politiques

    appliquer_style()
    figures = cartes_politiques(contexte_diagnostic(2013, 2008, None), "fonctionnement")
    try:
        assert len(figures) == 2
        for fig in figures:
            assert _plus_petit_corps_imprime(fig) >= 7.0
        titres = [ax.get_title(loc="left") or ax.get_title() for fig in figures for ax in fig.axes]
        assert sum(bool(t.strip()) and t[0].isdigit() for t in titres) == 10   # the ten M14 functions, once each
        barres = [fig.axes[-1].get_xlim() for fig in figures]
        assert barres[0] == barres[1]                                          # one scale
    finally:
        for fig in figures:
            plt.close(fig)


def test_mesure_du_corps_imprime_a_la_main():
    # a 10 × 10 in figure printed in 125 mm tall (4.92 in, the height binds): 10 pt → 10 × 4.92 / 10 ≈ 4.9 pt
    fig = plt.figure(figsize=(10, 10))
    fig.text(0.01, 0.01, "a", fontsize=10)
    fig.text(0.99, 0.99, "b", fontsize=20)
    try:
        assert _plus_petit_corps_imprime(fig) == pytest.approx(10 * 125 / 254, rel=0.02)
    finally:
        plt.close(fig)


PAGES_SCRIPT = """<script>
window.addEventListener('load', () => {
  const r = {};
  document.querySelectorAll('[data-cas]').forEach(e => { r[e.dataset.cas] = getComputedStyle(e).page || ''; });
  const p = document.createElement('pre'); p.id = 'og-mesures'; p.textContent = JSON.stringify(r);
  document.body.appendChild(p);
});
</script>"""


def _cellule_code(*sorties: str) -> str:
    return ('<div class="jp-Cell jp-CodeCell"><div class="jp-Cell-outputWrapper"><div class="jp-OutputArea">'
            + "".join(f'<div class="jp-OutputArea-child">{s}</div>' for s in sorties) + "</div></div></div>")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium absent : mesure impossible")
def test_titre_reste_avec_la_premiere_page_qui_le_suit(tmp_path):
    """Issue 14 (04 p. 3): a heading goes to the landscape page only when what follows it opens with a landscape
    table; a text output just before a landscape table goes with it (01 p. 9)."""
    large = '<div class="og-tableau-bloc og-large"><table class="og-tableau"><tr><td>x</td></tr></table></div>'
    portrait = '<div class="og-tableau-bloc"><table class="og-tableau"><tr><td>x</td></tr></table></div>'
    texte = '<div class="jp-RenderedMarkdown jp-OutputArea-output"><p>texte</p></div>'
    md = '<div class="jp-Cell jp-MarkdownCell" data-cas="{}"><h2>Titre</h2></div>'
    corps = (md.format("titre_puis_page_portrait") + _cellule_code(texte, portrait, large)
             + md.format("titre_puis_tableau_paysage") + _cellule_code(large)
             + _cellule_code(texte.replace('class="', 'data-cas="texte_avant_paysage" class="'), large))
    html = (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><style>{_css()}</style></head><body>"
            f"<main class='og-page'><div class='og-corps'>{corps}</div></main>{PAGES_SCRIPT}</body></html>")
    # the text output is the child of .jp-OutputArea-child: read the page of that child
    html = html.replace('<div class="jp-OutputArea-child"><div data-cas="texte_avant_paysage"',
                        '<div class="jp-OutputArea-child" data-cas="texte_avant_paysage"><div')
    pages = _mesurer(html, tmp_path)
    assert pages["titre_puis_page_portrait"] in ("auto", "")
    assert pages["titre_puis_tableau_paysage"] == "paysage"
    assert pages["texte_avant_paysage"] == "paysage"
