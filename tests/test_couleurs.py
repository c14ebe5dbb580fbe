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
