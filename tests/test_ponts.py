"""Bridges between totals that differ (issue 14): recettes − dépenses → épargne brute on the fiches."""
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.restitution.fiche_sections import pont_caf


def _t(rrf, drf, eb):
    lib = [vocabulaire.libelle(n) for n in ("rrf", "drf", "epargne_brute")]
    return pd.DataFrame({"montant": [rrf, drf, eb], "provenance": "exemple"}, index=lib)


def test_pont_a_la_main():
    # 1 000 − 900 = 100 ; épargne brute 150 ; écart (charges calculées…) = 50
    p = pont_caf(_t(1000.0, 900.0, 150.0))
    assert p["montant"].tolist() == [1000.0, -900.0, 100.0, 50.0, 150.0]
    assert p.index[-1] == vocabulaire.libelle("epargne_brute")
    assert p["montant"].iloc[0] + p["montant"].iloc[1] + p["montant"].iloc[3] == p["montant"].iloc[-1]


def test_pont_manquant():
    assert pont_caf(_t(1000.0, float("nan"), 150.0)) is None
    assert pont_caf(_t(1000.0, 900.0, 150.0).drop(index=vocabulaire.libelle("drf"))) is None


def test_une_population_par_indicateur_orleans_01_et_fiche():
    """Orléans's spending per inhabitant by function is the same in document 01 (charges de centralité) and in its
    fiche: both divide by the DGFiP population of the accounts."""
    from orleans_gov.analyse.politiques import depenses_par_habitant, populations_dgfip  # noqa: PLC0415
    from orleans_gov.restitution import fiche  # noqa: PLC0415
    from orleans_gov.restitution.chargement import contexte_diagnostic, contexte_fiche  # noqa: PLC0415

    d = contexte_diagnostic(2013, 2008, None)
    c = contexte_fiche("45234", 2013, 2008, None)
    dep_hab = depenses_par_habitant(c.table("depenses_fonction"), populations_dgfip(c.table("finances_communes")))
    t = fiche.depenses_politiques("45234", dep_hab, 2013)
    centre = d.centralite.set_index("fonction")["centre_eur_hab"]
    fiche_hab = t.reset_index().iloc[:, [0]].join(t.reset_index()[["montant_eur_hab"]])
    for i, f in enumerate(centre.index):
        assert abs(fiche_hab["montant_eur_hab"].iloc[i] - centre[f]) < 1e-6, f
