"""One colour code across the deliverables (issue 14): one colour per level, Orléans always the same, captions
naming the colours drawn."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402

from orleans_gov.restitution import graphiques as g  # noqa: E402
from orleans_gov.restitution import organisations_graphiques as gorg  # noqa: E402
from orleans_gov.restitution.chargement import contexte_organisations  # noqa: E402


def test_une_couleur_par_sens():
    assert g.couleur_entite("45234") == g.COULEUR_ORLEANS
    assert g.couleur_entite("244500468") == g.COULEUR_AGGLO
    assert g.couleur_entite("45302") == g.COULEUR_COMMUNES
    assert len({g.COULEUR_COMMUNES, g.COULEUR_AGGLO, g.COULEUR_ORLEANS, g.COULEUR_REFERENCE}) == 4
    # neither the agglomeration's nor Orléans's colour is used for a category
    assert g.COULEUR_ORLEANS not in g.PALETTE_CATEGORIES and g.COULEUR_AGGLO not in g.PALETTE_CATEGORIES
    assert g.couleurs_communes(["45147", "45234", "45232"]) == [g.PALETTE_CATEGORIES[0], g.COULEUR_ORLEANS,
                                                                 g.PALETTE_CATEGORIES[1]]
    assert g.nom_couleur(g.COULEUR_ALERTE) == "vermillon"      # #d55e00 is no « rouge »
    assert set(g.NOMS_COULEURS) == set(g.PALETTE)


def test_orleans_rose_dans_la_police():
    ctx = contexte_organisations(2013, None)
    fig = gorg.fig_police(ctx)
    lignes = {l.get_label(): mcolors.to_hex(l.get_color()) for l in fig.axes[0].get_lines()}
    assert lignes["Orléans"] == g.COULEUR_ORLEANS
    assert all(c != g.COULEUR_ORLEANS for n, c in lignes.items() if n != "Orléans")


def test_carte_du_perimetre_numerotee_comme_son_tableau():
    """Map labels are numbers (no colliding names), each inside the frame and equal to the table's « N° »."""
    from orleans_gov.restitution import politiques as pol  # noqa: PLC0415
    from orleans_gov.restitution import politiques_graphiques as gpol  # noqa: PLC0415
    from orleans_gov.restitution.chargement import contexte_diagnostic  # noqa: PLC0415

    ctx = contexte_diagnostic(2013, 2008, None)
    fig = gpol.carte_population(ctx)
    ax = fig.axes[0]
    textes = [t for t in ax.texts if t.get_text().isdigit()]
    assert sorted(int(t.get_text()) for t in textes) == list(range(1, 23))
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert all(x0 <= t.xy[0] <= x1 and y0 <= t.xy[1] <= y1 for t in textes)
    table = pol.tableau_population(ctx)
    assert table["numero_carte"].tolist() == list(range(1, 23))
    assert table.index[0] == "Orléans"          # the most populated commune is n° 1
