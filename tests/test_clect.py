"""CLECT evaluation and AC after a transfer: worked examples computed by hand (art. 1609 nonies C CGI)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from orleans_gov.scenarios.clect import (attribution_compensation_apres_transfert, charges_transferees,
                                         cout_annualise_equipement, cout_moyen_fonctionnement,
                                         imputation_service_commun, repartition_cle)


def test_cout_moyen_sur_trois_ans():
    # net costs 2011–2013: 120, 135, 150 → (120 + 135 + 150) / 3 = 405 / 3 = 135
    couts = pd.Series({2010: 999.0, 2011: 120.0, 2012: 135.0, 2013: 150.0})
    assert cout_moyen_fonctionnement(couts, 3) == pytest.approx(135.0)
    # the period is the LAST n years: 2010 is ignored; with n = 1 only 2013 counts
    assert cout_moyen_fonctionnement(couts, 1) == pytest.approx(150.0)
    assert cout_moyen_fonctionnement([10.0, 20.0, 60.0], 2) == pytest.approx(40.0)   # (20 + 60) / 2


def test_cout_moyen_par_commune_dataframe():
    df = pd.DataFrame({2011: [100.0, 10.0], 2012: [110.0, 11.0], 2013: [120.0, 15.0]}, index=["A", "B"])
    moy = cout_moyen_fonctionnement(df, 3)
    assert moy["A"] == pytest.approx((100 + 110 + 120) / 3)   # 110
    assert moy["B"] == pytest.approx((10 + 11 + 15) / 3)      # 12


def test_cout_moyen_refuse_annee_manquante_ou_periode_trop_longue():
    with pytest.raises(ValueError, match="manquant"):
        cout_moyen_fonctionnement(pd.Series({2012: 1.0, 2013: np.nan}), 2)
    with pytest.raises(ValueError, match="2 années disponibles, 3 demandées"):
        cout_moyen_fonctionnement([1.0, 2.0], 3)


def test_cout_annualise_equipement():
    # a 1 200 k€ sports hall, 300 k€ of interest over its life, 25 years, 20 k€ of yearly maintenance:
    # (1 200 + 300) / 25 + 20 = 60 + 20 = 80 k€ per year
    assert cout_annualise_equipement(1200.0, 300.0, 20.0, 25) == pytest.approx(80.0)
    # vectorised: two equipments
    v = cout_annualise_equipement(np.array([1200.0, 500.0]), np.array([300.0, 0.0]), np.array([20.0, 5.0]),
                                  np.array([25, 10]))
    assert v == pytest.approx([80.0, 55.0])   # 500 / 10 + 5 = 55
    with pytest.raises(ValueError, match="durée de vie"):
        cout_annualise_equipement(100.0, 0.0, 0.0, 0)
    with pytest.raises(ValueError, match="négatif"):
        cout_annualise_equipement(-100.0, 0.0, 0.0, 10)


def test_ac_apres_transfert_deux_communes():
    # Commune A: AC 500 ; operating cost 135 (average), equipment 80, receipts 15 → charges 135 + 80 − 15 = 200
    # → AC 500 − 200 = 300.
    # Commune B: AC 40 ; operating cost 60, equipment 0, receipts 5 → charges 55 → AC 40 − 55 = −15 (B pays)
    ch = charges_transferees(pd.Series({"A": 135.0, "B": 60.0}), pd.Series({"A": 80.0, "B": 0.0}),
                             pd.Series({"A": 15.0, "B": 5.0}))
    assert ch["A"] == pytest.approx(200.0) and ch["B"] == pytest.approx(55.0)
    ac = attribution_compensation_apres_transfert(pd.Series({"A": 500.0, "B": 40.0}), ch)
    assert ac["A"] == pytest.approx(300.0)
    assert ac["B"] == pytest.approx(-15.0)


def test_imputation_service_commun_et_cle():
    # a 90 k€ service split by population 20 000 / 10 000 → 60 and 30; A's AC 100 − 60 = 40, B's 20 − 30 = −10
    parts = repartition_cle(90.0, pd.Series({"A": 20000, "B": 10000}))
    assert parts["A"] == pytest.approx(60.0) and parts["B"] == pytest.approx(30.0)
    assert imputation_service_commun(100.0, parts["A"]) == pytest.approx(40.0)
    assert imputation_service_commun(20.0, parts["B"]) == pytest.approx(-10.0)
    with pytest.raises(ValueError):
        repartition_cle(90.0, pd.Series({"A": -1.0, "B": 2.0}))
