"""Organisation comparison: worked examples computed by hand on tiny frames."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from orleans_gov.analyse import organisations as o

A, B, C = "45001", "45002", "45003"  # three fictitious communes (codes are not checked by the analysis)
AG = "244500468"


def _totaux():
    return pd.DataFrame({"entite": [A, B, C, AG], "an": [2013] * 4,
                         "effectif": [110.0, 24.0, 30.0, 500.0], "etp": [100.0, 20.0, 25.0, 400.0],
                         "charges_personnel": [4000.0, 760.0, 900.0, 18000.0], "provenance": ["exemple"] * 4})


def _effectifs():
    rows = [
        (A, "administrative", "A", "titulaire", 10, 10.0), (A, "technique", "C", "titulaire", 70, 60.0),
        (A, "technique", "C", "contractuel", 30, 30.0),
        (B, "administrative", "B", "titulaire", 4, 4.0), (B, "technique", "C", "titulaire", 20, 16.0),
        (C, "administrative", "C", "titulaire", 30, 25.0),
        (AG, "technique", "C", "titulaire", 400, 320.0), (AG, "administrative", "A", "contractuel", 100, 80.0),
    ]
    return pd.DataFrame(rows, columns=["entite", "filiere", "categorie", "statut", "effectif", "etp"]).assign(an=2013)


def _territoire():
    return pd.DataFrame({"entite": [A, B, C, AG], "an": [2013] * 4, "nom": ["Aa", "Bb", "Cc", "Agglo"],
                         "niveau": ["commune"] * 3 + ["agglomération"],
                         "population": [5000, 2000, 2500, 9500],
                         "strate_dgfip": ["communes de 5 000 à 10 000 hab", "communes de 2 000 à 3 500 hab",
                                          "communes de 2 000 à 3 500 hab", None]})


def _finances():
    fc = pd.DataFrame({"code_insee": [A, B, C], "an": [2013] * 3, "perso": [4000.0, 760.0, 900.0],
                       "charge": [8000.0, 1900.0, 2000.0]})
    fa = pd.DataFrame({"siren": [AG], "an": [2013], "perstot": [18000.0], "cftot": [72000.0]})
    return fc, fa


def _indicateurs():
    fc, fa = _finances()
    return o.indicateurs_personnel(_totaux(), _effectifs(), _territoire(), fc, fa, annee=2013).set_index("entite")


def test_indicateurs_personnel_exemple_a_la_main():
    i = _indicateurs()
    # A: 100 ETP for 5 000 inhabitants → 100 × 1 000 / 5 000 = 20 ETP per 1 000 hab.
    assert i.loc[A, "etp_pour_1000_hab"] == pytest.approx(20.0)
    # 110 agents → 22 per 1 000 hab.
    assert i.loc[A, "effectif_pour_1000_hab"] == pytest.approx(22.0)
    # contractuels: 30 ETP of 100 → 30 %
    assert i.loc[A, "part_contractuels"] == pytest.approx(0.30)
    # cost per FTE: 4 000 k€ × 1 000 / 100 ETP = 40 000 €
    assert i.loc[A, "cout_par_etp"] == pytest.approx(40_000.0)
    # personnel / charges: 4 000 / 8 000 = 50 %
    assert i.loc[A, "part_personnel_charges"] == pytest.approx(0.5)
    # B: no contractuel line in this tiny frame → unknown (NaN), never a made-up 0; 760 × 1000 / 20 = 38 000 €
    assert math.isnan(i.loc[B, "part_contractuels"])
    assert i.loc[B, "cout_par_etp"] == pytest.approx(38_000.0)
    # agglomeration: 400 ETP / 9 500 hab → 42.105… ; 18 000 / 72 000 = 25 %; contractuels 80 / 400 = 20 %
    assert i.loc[AG, "etp_pour_1000_hab"] == pytest.approx(400 * 1000 / 9500)
    assert i.loc[AG, "part_personnel_charges"] == pytest.approx(0.25)
    assert i.loc[AG, "part_contractuels"] == pytest.approx(0.20)


def test_etp_nul_donne_nan_pas_infini():
    t = _totaux()
    t.loc[1, "etp"] = 0.0
    i = o.indicateurs_personnel(t, _effectifs(), _territoire()).set_index("entite")
    assert math.isnan(i.loc[B, "cout_par_etp"])
    assert math.isnan(i.loc[B, "part_personnel_charges"])  # no finances given: missing, never zero


def test_structure_effectifs_par_categorie():
    s = o.structure_effectifs(_effectifs(), "categorie").set_index("entite")
    # A: catégorie A 10 ETP, C 90 ETP of 100
    assert s.loc[A, "A"] == pytest.approx(0.10) and s.loc[A, "C"] == pytest.approx(0.90)
    # B: 4 ETP B, 16 ETP C of 20 → 20 % / 80 %
    assert s.loc[B, "B"] == pytest.approx(0.20) and s.loc[B, "C"] == pytest.approx(0.80)
    assert list(s.columns[:4]) == ["an", "A", "B", "C"]
    f = o.structure_effectifs(_effectifs(), "filiere", mesure="effectif").set_index("entite")
    # A: 10 administrative agents of 110
    assert f.loc[A, "administrative"] == pytest.approx(10 / 110)
    with pytest.raises(ValueError, match="dimension inconnue"):
        o.structure_effectifs(_effectifs(), "grade")


def test_comparaison_a_la_strate_somme_des_ratios():
    c = o.comparer_a_la_strate(_indicateurs().reset_index()).set_index("entite")
    # band 2 000–3 500: B (20 ETP, 2 000 hab) and C (25 ETP, 2 500 hab) → (20 + 25) × 1 000 / 4 500 = 10
    assert c.loc[B, "etp_pour_1000_hab_strate"] == pytest.approx(10.0)
    assert c.loc[B, "nb_strate"] == 2
    # B: 10 ETP per 1 000 hab. (20 × 1 000 / 2 000) → index 100; C: 25 × 1 000 / 2 500 = 10 → 100
    assert c.loc[B, "indice_etp_pour_1000_hab_strate"] == pytest.approx(100.0)
    # cost per FTE of the band: (760 + 900) × 1 000 / 45 = 36 888.9 €; B: 38 000 / 36 888.9 × 100 = 103.01
    assert c.loc[B, "cout_par_etp_strate"] == pytest.approx(1_660_000 / 45)
    assert c.loc[B, "indice_cout_par_etp_strate"] == pytest.approx(38_000 / (1_660_000 / 45) * 100)
    # A alone in its band
    assert c.loc[A, "nb_strate"] == 1 and c.loc[A, "indice_etp_pour_1000_hab_strate"] == pytest.approx(100.0)
    # all communes: 145 ETP for 9 500 hab → 15.263…; the agglomeration gets the communes' aggregate too
    assert c.loc[AG, "etp_pour_1000_hab_communes"] == pytest.approx(145 * 1000 / 9500)
    assert math.isnan(c.loc[AG, "etp_pour_1000_hab_strate"])
    # personnel share of the 22 communes taken as one: (4 000 + 760 + 900) / (8 000 + 1 900 + 2 000)
    assert c.loc[A, "part_personnel_charges_communes"] == pytest.approx(5660 / 11900)


def _support():
    rows = [
        (A, "finances", 3.0, 120.0), (A, "informatique", 2.0, 100.0),
        (B, "finances", 1.0, 38.0), (B, "informatique", 0.0, 0.0),
        (C, "finances", 0.5, 18.0), (C, "informatique", None, None),
        (AG, "finances", 10.0, 450.0), (AG, "informatique", 6.0, 300.0),
    ]
    return pd.DataFrame(rows, columns=["entite", "fonction_support", "etp", "cout"]).assign(an=2013)


def test_duplications_fonctions_support():
    d = o.duplications_fonctions_support(_support()).set_index("fonction_support")
    # finances: in the 3 communes (3 + 1 + 0.5 = 4.5 ETP, 176 k€) and in the agglomeration (10 ETP)
    assert d.loc["finances", "nb_communes"] == 3 and d.loc["finances", "agglomeration"]
    assert d.loc["finances", "nb_entites"] == 4
    assert d.loc["finances", "etp_communes"] == pytest.approx(4.5)
    assert d.loc["finances", "etp_total"] == pytest.approx(14.5)
    assert d.loc["finances", "cout_communes"] == pytest.approx(176.0)
    assert d.loc["finances", "cout_total"] == pytest.approx(626.0)
    assert d.loc["finances", "etp_moyen_par_commune"] == pytest.approx(1.5)
    # informatique: only A (B has 0, C did not answer)
    assert d.loc["informatique", "nb_communes"] == 1
    assert d.loc["informatique", "nb_non_renseigne"] == 1
    assert d.loc["informatique", "etp_communes"] == pytest.approx(2.0)
    assert list(d.index) == ["finances", "informatique"]  # order of the reference list


def test_matrice_fonctions_support():
    m = o.matrice_fonctions_support(_support())
    assert m.loc[A, "finances"] == 3.0 and m.loc[B, "informatique"] == 0.0
    assert math.isnan(m.loc[C, "informatique"])  # missing stays missing
    assert o.matrice_fonctions_support(_support(), "cout").loc[AG, "informatique"] == 300.0


def test_police_pour_1000():
    p = pd.DataFrame({"entite": ["45234", "45234"], "nom": ["Orléans"] * 2, "an": [2013, 2014],
                      "agents_police": [108.0, None], "asvp": [10.0, 10.0], "gardes_champetres": [0.0, 0.0],
                      "population": [114375.0, 114977.0], "provenance": ["réel"] * 2})
    r = o.police_pour_1000(p)
    # 108 × 1 000 / 114 375 = 0.944…; with ASVP (118): 1.0317…
    assert r.loc[0, "agents_pour_1000_hab"] == pytest.approx(108_000 / 114375)
    assert r.loc[0, "agents_asvp_pour_1000_hab"] == pytest.approx(118_000 / 114375)
    assert math.isnan(r.loc[1, "agents_pour_1000_hab"])  # a gap of the survey stays a gap
