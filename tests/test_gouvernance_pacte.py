"""Pacte financier et fiscal (issue 12, §2): révision des AC (art. 1609 nonies C V CGI), DSC (VI), FPIC (art. L2336-3
and L2336-5 CGCT), tax coordination (art. 1636 B sexies, septies, decies CGI).

Expected values are computed by hand in the docstrings (research: docs/juridique/gouvernance-exemples.md B and C).
Toy perimeter of the research: A = 52 000, B = 21 000, C = 9 500, D = 3 800, E = 700 (87 000); PF/hab A 1 100,
B 900, C 800, D 700, E 650; council 21/13/6/2/1 (43 seats, two thirds = ⌈28,67⌉ = 29).
Three-commune toy: X = 30 000, Y = 15 000, Z = 5 000; AC X 1 000, Y 500, Z 100 k€; seats X 10, Y 5, Z 2 (17, two
thirds = ⌈11,33⌉ = 12).
"""
from __future__ import annotations

import pandas as pd
import pytest

from orleans_gov.base.parametres import parametres
from orleans_gov.scenarios.gouvernance import (conditions_fpic, conditions_revision_libre, dsc_minimum_contrat_de_ville,
                                               harmonisation_taux, pacte_taux, repartition_dsc, repartition_fpic,
                                               ressources_nationales, revision_libre_ac, verifier_revision_derogatoire,
                                               verifier_revision_libre, verifier_taux, vote_dsc, vote_fpic)
from orleans_gov.scenarios.gouvernance.pacte import part_critere

POP = pd.Series({"A": 52_000, "B": 21_000, "C": 9_500, "D": 3_800, "E": 700})
PF = pd.Series({"A": 1_100.0, "B": 900.0, "C": 800.0, "D": 700.0, "E": 650.0})
SIEGES = pd.Series({"A": 21, "B": 13, "C": 6, "D": 2, "E": 1})
POP3 = pd.Series({"X": 30_000, "Y": 15_000, "Z": 5_000})
AC3 = pd.Series({"X": 1_000.0, "Y": 500.0, "Z": 100.0})
PF3 = pd.Series({"X": 1_200.0, "Y": 800.0, "Z": 600.0})
SIEGES3 = pd.Series({"X": 10, "Y": 5, "Z": 2})


def arrondi(s: pd.Series, n: int = 3) -> dict:
    return s.round(n).to_dict()


# ------------------------------------------------------------------------------------------ criteria, AC revision

def test_criteres_comme_la_loi_les_calcule():
    """Insufficiency of potential (1609 nonies C VI; research C): weight = pop × PF moyen / PF with PF moyen =
    86 815 000 / 87 000 = 997,874; A 47 172,205 / 88 797,331 = 0,531234 … E 0,012102. Richesse (FPIC prélèvement,
    research B): pop × PF / Σ = A 57,2 / 86,815 = 0,658872."""
    ins = part_critere("insuffisance_potentiel_financier", PF, POP)
    assert arrondi(ins, 6) == {"A": 0.531234, "B": 0.262212, "C": 0.133447, "D": 0.061004, "E": 0.012102}
    assert round(part_critere("potentiel_financier", PF, POP)["A"], 6) == 0.658872
    assert round(part_critere("charges_centralite", pd.Series({"A": 3.0, "B": 1.0, "C": 0, "D": 0, "E": 0}), POP)["A"],
                 2) == 0.75
    with pytest.raises(ValueError, match="manquante"):
        part_critere("ecart_revenu", PF.drop("E"), POP)


def test_revision_libre_trois_communes():
    """Art. 1609 nonies C V 1° bis CGI, 90 k€ moved, key 50 % population / 50 % insufficiency of PF.

    Population shares 0,6 / 0,3 / 0,1. PF moyen = (30 000 × 1 200 + 15 000 × 800 + 5 000 × 600) / 50 000 = 1 020;
    insufficiency weights X 30 000 × 1 020 / 1 200 = 25 500, Y 19 125, Z 8 500 (Σ 53 125) → 0,48 / 0,36 / 0,16.
    Key s = 0,54 / 0,33 / 0,13. AC shares 1 000 / 1 600 = 0,625 / 0,3125 / 0,0625.
    Redistribution Δ = 90 × (s − AC share): X −7,65, Y +1,575, Z +6,075 (Σ 0).
    Reduction by richesse (pop × PF: 36 / 12 / 3 M€ → 36/51 …) of 60: X −42,353, Y −14,118, Z −3,529; the EPCI
    keeps 60."""
    r = revision_libre_ac(AC3, {"population": None, "insuffisance_potentiel_financier": PF3},
                          {"population": 0.5, "insuffisance_potentiel_financier": 0.5}, 90, "2016-06-01",
                          populations=POP3)
    assert arrondi(r.table["part"], 4) == {"X": 0.54, "Y": 0.33, "Z": 0.13}
    assert arrondi(r.table["montant_deplace"]) == {"X": -7.65, "Y": 1.575, "Z": 6.075}
    assert arrondi(r.table["ac_apres"]) == {"X": 992.35, "Y": 501.575, "Z": 106.075}
    assert abs(r.effet_epci) < 1e-9 and r.table["interessee"].all()
    red = revision_libre_ac(AC3, {"potentiel_financier": PF3}, {"potentiel_financier": 1.0}, 60, 2016,
                            populations=POP3, mode="reduction")
    assert arrondi(red.table["montant_deplace"]) == {"X": -42.353, "Y": -14.118, "Z": -3.529}
    assert round(red.effet_epci, 9) == 60
    uni = revision_libre_ac(AC3, {}, {}, 160, 2016, populations=POP3, mode="reduction_uniforme")
    assert arrondi(uni.table["variation_relative"], 6) == {"X": -0.1, "Y": -0.1, "Z": -0.1}
    with pytest.raises(ValueError, match="mode"):
        revision_libre_ac(AC3, {}, {}, 1, 2016, populations=POP3, mode="libre")


def test_conditions_revision_libre_datees():
    """1° bis: unanimity of the council until 30 December 2014; two thirds + all municipal councils from 31 December
    2014 (loi n° 2014-1655, art. 34); two thirds + the councils « intéressées » from 31 December 2015 (loi
    n° 2015-1785, art. 163). V 7°: 20 % and 5 % (text read)."""
    c14, c15, c16 = (conditions_revision_libre(d) for d in ("2014-06-01", "2015-06-01", "2016-06-01"))
    assert (c14.regime.conseil, c14.regime.communes) == ("unanimite_conseil", None)
    assert (c15.regime.conseil, c15.regime.communes) == ("deux_tiers_conseil", "toutes")
    assert (c16.regime.conseil, c16.regime.communes) == ("deux_tiers_conseil", "interessees")
    assert "2015-1785" in c16.regime.reference and c14.rapport_clect_requis
    assert (c14.seuil_v7, c14.reduction_max_v7) == (0.20, 0.05)


def test_majorite_revision_libre_2014_2015_2016():
    """X gives 50 k€ of AC to Z (X 950, Z 150), Y unchanged. Council: X + Z for = 12 seats ≥ 12 (two thirds of 17)
    but < 17 (unanimity); councils X and Z for, Y against. 2014: unanimity of the council → rejected. 2015: every
    municipal council → rejected (Y). 2016: only X and Z « intéressées » → adopted. X's council against: its AC
    falls without its accord (V 1° al. 4) → rejected."""
    apres = pd.Series({"X": 950.0, "Y": 500.0, "Z": 150.0})
    conseil = {"X": True, "Y": False, "Z": True}
    communes = {"X": True, "Y": False, "Z": True}

    def verifier(date, communes=communes):
        return verifier_revision_libre(AC3, apres, date, votes_conseil=conseil, sieges=SIEGES3,
                                       votes_communes=communes, populations=POP3)
    v14, v15, v16 = verifier("2014-06-01"), verifier("2015-06-01"), verifier("2016-06-01")
    assert not v14.adoptee and "conseil_unanimite_conseil" in list(v14.controles.query("satisfaite == False").regle)
    assert not v15.adoptee and v15.controles.set_index("regle").at["conseils_municipaux_toutes", "valeur"] == 2
    assert v16.adoptee and v16.interessees == ["X", "Z"]
    assert not verifier("2016-06-01", {"X": False, "Y": True, "Z": True}).adoptee
    with pytest.raises(ValueError, match="inconnues"):
        verifier("2016-06-01", {"W": True})


def test_revision_derogatoire_v7():
    """Art. 1609 nonies C V 7°, PF/hab X 1 300, Y 800, Z 600: mean (39 + 12 + 3) M / 50 000 = 1 080, threshold
    1,2 × 1 080 = 1 296 < 1 300 → only X eligible. X −50 (5 %) valid; X −60 (6 % > 5 %) and Y −10 (not eligible)
    invalid; −3 % for all (« dans les mêmes proportions ») valid. Councils X, Y for, Z against: 2 ≥ ⌈2/3 × 3⌉ and
    45 000 > 25 000, X (60 % > a quarter) for → qualified majority of L5211-5 II met."""
    pf = pd.Series({"X": 1_300.0, "Y": 800.0, "Z": 600.0})
    votes = {"X": True, "Y": True, "Z": False}

    def v(apres, date=2016):
        return verifier_revision_derogatoire(AC3, pd.Series(apres), date, potentiel_financier_hab=pf,
                                             populations=POP3, votes_communes=votes)
    assert v({"X": 950.0, "Y": 500.0, "Z": 100.0}).adoptee
    r = v({"X": 940.0, "Y": 500.0, "Z": 100.0})
    assert not r.adoptee and "reduction_maximale[X]" in list(r.controles.query("satisfaite == False").regle)
    r = v({"X": 1_000.0, "Y": 490.0, "Z": 100.0})
    assert list(r.controles.query("satisfaite == False").regle) == ["eligibilite[Y]"]
    assert v({"X": 970.0, "Y": 485.0, "Z": 97.0}).adoptee
    assert not v({"X": 950.0, "Y": 500.0, "Z": 100.0}, date=2009).adoptee  # V 7° created for 2010
    assert not verifier_revision_derogatoire(AC3, pd.Series({"X": 950.0, "Y": 500.0, "Z": 100.0}), 2016,
                                             potentiel_financier_hab=pf, populations=POP3,
                                             votes_communes={"Y": True, "Z": True}).adoptee  # X required


# ------------------------------------------------------------------------------------------------------------ DSC

def test_dsc_exemple_c():
    """Research C: DSC of 2 000 k€, 50 % population / 50 % insufficiency of PF → A 1 128,936, B 503,591,
    C 242,643, D 104,683, E 20,148 k€; A 21,71 € per inhabitant. Both « prioritaires » criteria weigh 100 %
    (art. 1609 nonies C VI, CA, 2014)."""
    r = repartition_dsc(2_000, POP, {"population": None, "insuffisance_potentiel_financier": PF},
                        {"population": 0.5, "insuffisance_potentiel_financier": 0.5}, 2014)
    assert arrondi(r.table["montant"]) == {"A": 1128.936, "B": 503.591, "C": 242.643, "D": 104.683, "E": 20.148}
    assert round(r.table.at["A", "montant_par_habitant"] * 1000, 2) == 21.71
    assert r.conforme and r.regle.majorite == "deux_tiers_conseil"


def test_dsc_criteres_prioritaires_et_communaute_urbaine():
    """CA (VI al. 1): 10 % population + 10 % PF + 80 % charges de centralité — the priority criteria weigh 20 %,
    « insuffisant » (CAA 2007 quoted by the research) under the default reading, accepted under ``"presence"``.
    CU 2017 (VI al. 2, « notamment » a. revenu and b. potentiel): population + PF only → the revenu criterion is
    missing. 2020 (L5211-28-4): écart de revenu 20 % + insufficiency 20 % = 40 % ≥ 35 %; 15 % + 15 % = 30 % < 35 %."""
    centralite = pd.Series({"A": 10.0, "B": 2.0, "C": 1.0, "D": 0.5, "E": 0.0})
    crit = {"population": None, "insuffisance_potentiel_financier": PF, "charges_centralite": centralite}
    poids = {"population": 0.1, "insuffisance_potentiel_financier": 0.1, "charges_centralite": 0.8}
    r = repartition_dsc(1_000, POP, crit, poids, 2014)
    assert not r.conforme and list(r.controles.query("satisfaite == False").regle) == [
        "criteres_prioritaires_majoritaires"]
    assert repartition_dsc(1_000, POP, crit, poids, 2014, lecture_prioritaire="presence").conforme
    cu = repartition_dsc(1_000, POP, {"population": None, "insuffisance_potentiel_financier": PF},
                         {"population": 0.5, "insuffisance_potentiel_financier": 0.5}, 2017,
                         categorie="communaute_urbaine")
    assert not cu.conforme and cu.regle.majorite == "majorite_simple"
    revenu = pd.Series({"A": 15_000.0, "B": 13_000.0, "C": 12_000.0, "D": 11_000.0, "E": 14_000.0})
    for w, ok in ((0.2, True), (0.15, False)):
        r = repartition_dsc(1_000, POP, {"population": None, "ecart_revenu": revenu,
                                         "insuffisance_potentiel_financier": PF},
                            {"population": 1 - 2 * w, "ecart_revenu": w, "insuffisance_potentiel_financier": w}, 2020,
                            categorie="metropole")
        assert r.conforme is ok


def test_dsc_contrat_de_ville():
    """Loi n° 2014-173, art. 12 (2016, no pacte): minimum = 50 % × (10 600 − 10 000) = 300 k€, to the communes of
    the contrat (A, C). 250 k€ and population/PF criteria → two violations. 300 k€, 50 % écart de revenu (R A 15 000,
    C 12 000) / 50 % insufficiency of PF, among A and C: revenu shares 52 000/15 000 = 3,4667 and 9 500/12 000 =
    0,7917 → A 0,814090; PF shares 52 000/1 100 = 47,273 and 9 500/800 = 11,875 → A 0,799232; A = 300 × ½ ×
    (0,814090 + 0,799232) = 241,998, C = 58,002; B, D, E nothing. Before the law (2013): no such rule."""
    assert dsc_minimum_contrat_de_ville(10_600, 10_000, 2016) == 300
    assert dsc_minimum_contrat_de_ville(9_000, 10_000, 2016) == 0
    with pytest.raises(KeyError):
        dsc_minimum_contrat_de_ville(10_600, 10_000, 2013)
    kw = dict(contrat_de_ville=True, communes_contrat_de_ville=["A", "C"], produit_impositions=(10_000, 10_600))
    r = repartition_dsc(250, POP, {"population": None, "insuffisance_potentiel_financier": PF},
                        {"population": 0.5, "insuffisance_potentiel_financier": 0.5}, 2016, **kw)
    assert sorted(r.controles.query("satisfaite == False").regle) == ["criteres_contrat_de_ville",
                                                                       "dsc_minimale_contrat_de_ville"]
    revenu = pd.Series({"A": 15_000.0, "B": 13_000.0, "C": 12_000.0, "D": 11_000.0, "E": 14_000.0})
    r = repartition_dsc(300, POP, {"ecart_revenu": revenu, "insuffisance_potentiel_financier": PF},
                        {"ecart_revenu": 0.5, "insuffisance_potentiel_financier": 0.5}, 2016, **kw)
    assert arrondi(r.table["montant"]) == {"A": 241.998, "B": 0.0, "C": 58.002, "D": 0.0, "E": 0.0}
    assert r.minimum == 300 and not repartition_dsc(300, POP, {"ecart_revenu": revenu}, {"ecart_revenu": 1.0},
                                                    2016, **kw).conforme  # no potential criterion (CA, VI al. 1)
    assert repartition_dsc(300, POP, {"population": None, "insuffisance_potentiel_financier": PF},
                           {"population": 0.5, "insuffisance_potentiel_financier": 0.5}, 2016,
                           contrat_de_ville=True, pacte_adopte=True).conforme


def test_vote_dsc_2014_et_2017():
    """A (21) + D (2) for, the others against: 23 seats. CA 2014 (two thirds of 43 = 29) → rejected; CU 2017
    (simple majority: 23 > 43 / 2) → adopted."""
    votes = {"A": True, "B": False, "C": False, "D": True, "E": False}
    assert not vote_dsc(votes, SIEGES, POP, 2014)[0]
    assert vote_dsc(votes, SIEGES, POP, 2017, categorie="communaute_urbaine")[0]


# ----------------------------------------------------------------------------------------------------------- FPIC

def test_fpic_exemple_b_droit_commun():
    """Research B (L2336-3 II, prélèvement 2014): EPCI = 0,35 × 1 000 = 350; communes 650 ∝ pop × PF/hab:
    A 428,267, B 141,508, C 56,903, D 19,916, E 3,407. Reversement (L2336-5 II) ∝ pop × PF moyen / PF: A 345,302,
    B 170,438, C 86,741, D 39,653, E 7,866."""
    kw = dict(cif=0.35, populations_dgf=POP, potentiel_financier_hab=PF)
    p = repartition_fpic(1_000, 2014, sens="prelevement", **kw)
    assert p.epci == 350 and p.conforme
    assert arrondi(p.communes["montant"]) == {"A": 428.267, "B": 141.508, "C": 56.903, "D": 19.916, "E": 3.407}
    r = repartition_fpic(1_000, 2014, sens="reversement", **kw)
    assert arrondi(r.communes["montant"]) == {"A": 345.302, "B": 170.438, "C": 86.741, "D": 39.653, "E": 7.866}
    with pytest.raises(KeyError):
        repartition_fpic(1_000, 2012, sens="prelevement", **kw)


def test_fpic_derogatoire_limites():
    """Dérogatoire (two thirds, L2336-3 II 1°): 25 k€ moved from A to C (+20) and D (+5). C 76,903 / 56,903 − 1 =
    +35,1 %, D 24,916 / 19,916 − 1 = +25,1 %, A −5,8 %. 2014 (limit 20 %): C and D violate; 2016 (30 %): C only.
    Reversement: C −35 % violates, a rise does not. EPCI share: 360 ≠ 350 (CIF) violates in 2016; from 2020 within
    ±30 %: 360 (+2,9 %) passes, 460 (+31,4 %) fails. Criteria: population + écart de revenu + PF are the minimum."""
    kw = dict(cif=0.35, populations_dgf=POP, potentiel_financier_hab=PF)
    dc = repartition_fpic(1_000, 2014, sens="prelevement", **kw).communes["droit_commun"]
    prop = dc + pd.Series({"A": -25.0, "B": 0.0, "C": 20.0, "D": 5.0, "E": 0.0})

    def derog(date, sens="prelevement", parts=prop, **autres):
        return repartition_fpic(1_000, date, sens=sens, mode="derogatoire", parts_communes=parts, **kw, **autres)
    assert derog(2014).violations == ["ecart_droit_commun[C]", "ecart_droit_commun[D]"]
    r16 = derog(2016)
    assert r16.violations == ["ecart_droit_commun[C]"] and round(r16.communes.at["C", "ecart_relatif"], 3) == 0.351
    assert derog(2016, lecture_ecart="symetrique").violations == ["ecart_droit_commun[C]"]
    dcr = repartition_fpic(1_000, 2016, sens="reversement", **kw).communes["droit_commun"]
    baisse = dcr * pd.Series({"A": 1.0, "B": 1.0, "C": 0.65, "D": 1.0, "E": 1.0})
    baisse["A"] += dcr["C"] * 0.35
    assert derog(2016, sens="reversement", parts=baisse).violations == ["ecart_droit_commun[C]"]
    assert derog(2016, part_epci=360, parts=dc * 640 / 650).violations == ["part_epci_cif"]
    assert derog(2020, part_epci=360, parts=dc * 640 / 650).conforme
    assert "part_epci_ecart" in derog(2020, part_epci=460, parts=dc * 540 / 650).violations
    revenu = pd.Series({"A": 15_000.0, "B": 13_000.0, "C": 12_000.0, "D": 11_000.0, "E": 14_000.0})
    ok = repartition_fpic(1_000, 2016, sens="prelevement", mode="derogatoire", revenu_hab=revenu,
                          criteres={"population": None, "ecart_revenu": None, "potentiel_financier": PF},
                          poids={"population": 0.2, "ecart_revenu": 0.1, "potentiel_financier": 0.7}, **kw)
    assert ok.controles.set_index("regle").at["criteres_minimaux", "satisfaite"]
    sans = repartition_fpic(1_000, 2016, sens="prelevement", mode="derogatoire",
                            criteres={"population": None, "potentiel_financier": PF},
                            poids={"population": 0.2, "potentiel_financier": 0.8}, **kw)
    assert "criteres_minimaux" in sans.violations


def test_fpic_majorites_2014_2016_et_enveloppe():
    """Libre: 2014 unanimity of the council only; 2016 also two thirds + every municipal council, silence = approval.
    E's delegation (1 seat) against: 42 / 43 fails unanimity, passes two thirds (≥ 29). E's council silent in 2016 →
    approval → adopted; E's council against → rejected. Dérogatoire: two thirds; deadline 30 June (2014) then two
    months (2016). National resources: 570 M€ (2014), 1 Md€ (2016)."""
    conseil = {c: c != "E" for c in POP.index}
    communes = {c: True for c in POP.index if c != "E"}
    assert not vote_fpic("libre", 2014, votes_conseil=conseil, sieges=SIEGES, populations=POP,
                         votes_communes=communes)[0]
    ok, detail = vote_fpic("libre", 2016, votes_conseil=conseil, sieges=SIEGES, populations=POP,
                           votes_communes=communes)
    assert ok and detail["adoptee"].tolist() == [False, True]
    assert not vote_fpic("libre", 2016, votes_conseil=conseil, sieges=SIEGES, populations=POP,
                         votes_communes={**communes, "E": False})[0]
    assert vote_fpic("derogatoire", 2014, votes_conseil=conseil, sieges=SIEGES, populations=POP)[0]
    assert conditions_fpic("derogatoire", 2014).delai_mois is None and conditions_fpic("libre", 2016).delai_mois == 2
    assert ressources_nationales(2014) == 570e6 and ressources_nationales(2016) == 1e9
    assert ressources_nationales(2012) == 150e6 and ressources_nationales(2019) == 1e9


# ------------------------------------------------------------------------------------------------ tax coordination

BASES = pd.DataFrame({"th": [1_000.0, 500.0], "tfb": [800.0, 400.0], "tfnb": [10.0, 20.0]}, index=["P", "Q"])
TAUX = pd.DataFrame({"th": [20.0, 14.0], "tfb": [25.0, 22.0], "tfnb": [40.0, 35.0]}, index=["P", "Q"])


def test_harmonisation_des_taux_et_contribuables():
    """Taux moyen pondéré: TH (1 000 × 20 + 500 × 14) / 1 500 = 18; TFB (800 × 25 + 400 × 22) / 1 200 = 24. Over two
    years (equal parts, by analogy with 1609 nonies C III 1° b): 2016 TH P 19, Q 16, TFB P 24,5, Q 23; 2017 all on
    target. Products 2017: TH P −20, Q +20 (= 500 × 4 / 100); TFB P −8, Q +8. Taxpayers: Q pay +28 in 2017 (+14 in
    2016), P −28; Σ 0. Q's TH rate +4 points = +28,57 %."""
    h = harmonisation_taux(BASES[["th", "tfb"]], TAUX[["th", "tfb"]], "moyen_pondere", 2016, lissage_annees=2)
    assert h.cible.to_dict() == {"th": 18.0, "tfb": 24.0}
    t = h.table.set_index(["annee", "entite", "taxe"])
    assert (t.at[(2016, "P", "th"), "taux"], t.at[(2016, "Q", "tfb"), "taux"]) == (19.0, 23.0)
    assert t.at[(2017, "Q", "th"), "variation_produit"] == 20 and t.at[(2017, "P", "tfb"), "variation_produit"] == -8
    assert round(t.at[(2017, "Q", "th"), "variation_relative"], 4) == 0.2857
    c = h.contribuables.set_index(["annee", "entite"])["supplement_contribuables"]
    assert c.to_dict() == {(2016, "P"): -14.0, (2016, "Q"): 14.0, (2017, "P"): -28.0, (2017, "Q"): 28.0}


def test_pacte_de_taux_points_ou_pourcentage():
    """EPCI TH rate 5 %, EPCI bases P 900 (other abatements), Q 500. « +2 % » relative = +0,1 point → P lowers
    0,1 × 900 / 1 000 = 0,09 point, Q 0,1. « +2 points » → 7 %: P −1,8 point (20 → 18,2), Q −2 (14 → 12); the EPCI
    gains 2 × 900 / 100 = 18 on P and 10 on Q (28), the communes lose as much, the taxpayers pay the same."""
    be = BASES.assign(th=[900.0, 500.0])
    rel = pacte_taux(BASES, TAUX, {"th": 5.0}, "th", 2016, variation_relative=0.02, bases_epci=be)
    assert round(rel.taux_epci_apres, 9) == 5.1 and arrondi(rel.table["baisse_points"], 9) == {"P": 0.09, "Q": 0.1}
    pts = pacte_taux(BASES, TAUX, {"th": 5.0}, "th", 2016, variation_points=2, bases_epci=be)
    assert pts.taux_epci_apres == 7 and arrondi(pts.table["taux_commune_apres"], 9) == {"P": 18.2, "Q": 12.0}
    assert arrondi(pts.table["produit_epci_supplement"], 9) == {"P": 18.0, "Q": 10.0}
    assert arrondi(pts.table["compensation_neutre"], 9) == {"P": 18.0, "Q": 10.0}
    assert (pts.table["supplement_contribuables"].abs() < 1e-9).all()
    for kw in ({}, {"variation_points": 2, "variation_relative": 0.02}):
        with pytest.raises(ValueError, match="variation"):
            pacte_taux(BASES, TAUX, {"th": 5.0}, "th", 2016, **kw)


def test_limites_legales_des_taux():
    """1636 B septies I: ceiling 2,5 × max(21 ; 23,54) − 5 (EPCI rate) = 53,85 → a TH of 60 fails. 1636 B sexies I 1:
    TFNB +5 % with TH +2 % fails. CFE of the EPCI (1636 B decies II): TH +2 % for both communes → TH moyen 18 → 18,36
    (+2 %); TMP (TH + TFB + TFNB) 56 900 / 2 730 → 57 462 / 2 730 (+0,9877 %) → limit +0,9877 %: +1 % fails, +0,9 %
    passes."""
    apres = TAUX.assign(th=TAUX["th"] * 1.02, tfnb=TAUX["tfnb"] * 1.02)
    ok = verifier_taux(TAUX, apres, 2016, bases=BASES, cfe_epci=(20.0, 20.18))
    assert ok["satisfaite"].tolist()[-1] is True and round(ok["limite"].iloc[-1], 6) == round(57_462 / 56_900 - 1, 6)
    assert verifier_taux(TAUX, apres, 2016, bases=BASES, cfe_epci=(20.0, 20.2))["satisfaite"].iloc[-1] is False
    lien = verifier_taux(TAUX, apres.assign(tfnb=TAUX["tfnb"] * 1.05), 2016)
    assert list(lien.query("satisfaite == False").regle) == ["lien_tfnb_th[P]", "lien_tfnb_th[Q]"]
    plafond = verifier_taux(TAUX, TAUX.assign(th=[20.0, 60.0]), 2016, taux_moyens_departement={"th": 21.0},
                            taux_moyens_nationaux={"th": 23.54}, taux_epci_precedent={"th": 5.0})
    assert list(plafond.query("satisfaite == False").regle) == ["plafond[Q,th]"]
    assert plafond.set_index("regle").at["plafond[Q,th]", "limite"] == pytest.approx(53.85)
    assert parametres()("fiscalite_directe.plafond_taux_multiple", 2014) == 2.5
