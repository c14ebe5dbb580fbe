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
