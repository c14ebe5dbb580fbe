"""Council composition (art. L5211-6-1 CGCT) and the barème leaf of ``base/parametres.py``.

Expected values are computed by hand in the docstrings (research: /work/research/gouvernance/exemples.md, A and D).
Toy perimeter: A = 52 000, B = 21 000, C = 9 500, D = 3 800, E = 700, total 87 000.
"""
from __future__ import annotations

import textwrap
from fractions import Fraction
from itertools import product

import pandas as pd
import pytest

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.parametres import lire_parametres, parametres
from orleans_gov.scenarios.gouvernance import (Lectures, accords_locaux_valides, poids_conseil,
                                               repartitions_vi_valides, sieges_droit_commun, verifier_accord_local)

from conftest import REEL

TOY = pd.Series({"A": 52_000, "B": 21_000, "C": 9_500, "D": 3_800, "E": 700})
CA = "communaute_agglomeration"


def populations(millesime: int) -> pd.Series:
    t = pd.read_csv(REEL / "population" / "population-municipale_22-communes_2016-2023.csv")
    return t[t.millesime_recensement == millesime].set_index("nom")["population_municipale"]


# ------------------------------------------------------------------------------------------------ barème leaf

def test_bareme_yaml_lecture_et_erreurs(tmp_path):
    """A barème leaf: brackets [seuil, valeur[ by date, ``null`` = no barème, ``{tranches, reference}``; errors name
    the parameter. Hand values: 3 499 → 16, 3 500 → 18, 12 000 → 22 (last bracket open); from 2020 the first
    bracket gives 10; before 2010 and after the 2030 ``null``, no version."""
    (tmp_path / "a.yaml").write_text(textwrap.dedent("""\
        x:
          b:
            description: test
            unite: sièges
            reference: CGCT art. test
            bareme:
              2010-01-01: [[0, 16], [3500, 18], [5000, 22]]
              2020-01-01: {tranches: [[0, 10], [3500, 18]], reference: loi test}
              2030-01-01: null
          s:
            reference: r
            valeurs: {2010-01-01: 1}
        """), encoding="utf-8")
    p = lire_parametres(tmp_path)
    b = p.bareme("x.b")
    assert (b(3_499, 2015), b(3_500, 2015), b(12_000, 2015)) == (16, 18, 22)
    assert b(0, "2020-06-01") == 10 and b.en_vigueur(2021).reference == "loi test"
    for quand in (2009, 2031):
        with pytest.raises(KeyError):
            b(100, quand)
    with pytest.raises(ValueError):
        b(-1, 2015)
    assert p("x.s", 2015) == 1 and p.noms() == ["x.s"]  # scalar API unchanged
    assert p.avec({"x.s": 2}).bareme("x.b")(3_500, 2015) == 18  # overrides keep the barèmes
    with pytest.raises(KeyError, match="barème"):
        p("x.b", 2015)
    for mauvais in ("[[0, 16], [0, 18]]", "[[0, 16], [3500]]", "[[0, oui]]"):
        (tmp_path / "a.yaml").write_text(f"y:\n  reference: r\n  bareme:\n    2010-01-01: {mauvais}\n", encoding="utf-8")
        with pytest.raises(ErreurDonnees, match="« y »"):
            lire_parametres(tmp_path)
    (tmp_path / "a.yaml").write_text("y:\n  bareme:\n    2010-01-01: [[0, 1]]\n", encoding="utf-8")
    with pytest.raises(ErreurDonnees, match="sans référence"):
        lire_parametres(tmp_path)


def test_baremes_du_paquet():
    """CGCT art. L5211-6-1 III (tableau) and L2121-2 (conseillers municipaux), as read in the etalab copies.

    87 000 is in « de 75 000 à 99 999 » → 42; 282 828 in « de 250 000 à 349 999 » → 72; « de 700 000 à 1 000 000 »
    → 100 up to 1 000 000 included, « plus de 1 000 000 » → 130. Orléans (114 782) « de 100 000 à 149 999 » → 55
    conseillers; under 100 inhabitants 9 before the 2014 renewal, 7 after (loi n° 2013-403)."""
    tableau = parametres().bareme("conseil_communautaire.sieges_tableau")
    assert [tableau(x, "2013-08-31") for x in (87_000, 282_828, 1_000_000, 1_000_001)] == [42, 72, 100, 130]
    effectif = parametres().bareme("conseil_municipal.effectif")
    assert effectif(114_782, 2019) == 55 and effectif(50, 2013) == 9 and effectif(50, 2015) == 7


# ------------------------------------------------------------------------------------------------ droit commun

def test_droit_commun_exemple_5_communes():
    """CGCT art. L5211-6-1 III and IV 1° to 4° (exemples.md A-1).

    III: 87 000 → 42 seats. IV 1°, quotient 87 000 / 42 = 2 071.43: A 25.10, B 10.14, C 4.59, D 1.83, E 0.34 → 25,
    10, 4, 1, 0 (40); seats 41 and 42 at the highest average: A 52 000/26 = 2 000 > B 21 000/11 = 1 909.09, then
    A 52 000/27 = 1 925.93 > 1 909.09 → A 27. IV 2°: E gets a seat → 43. IV 3°: A 27 > 43/2 → A ⌊43/2⌋ = 21, 6 seats
    freed, highest average from B 10, C 4, D 1, E 1: B (1 909.09), C and D tied at 1 900 (both), D… → B +3, C +2,
    D +1. IV 4°: A has 45 councillors (50 000 – 59 999), E 15: no cap. V: 1 seat of right ≤ 30 % × 42 = 12.6.
    ➡ A 21, B 13, C 6, D 2, E 1 = 43; VI maximum ⌊10 % × 43⌋ = 4."""
    r = sieges_droit_commun(TOY, "2013-08-31", CA)
    c = r.communes
    assert c["sieges_iv_1"].tolist() == [27, 10, 4, 1, 0]
    assert c["siege_de_droit_iv_2"].tolist() == [0, 0, 0, 0, 1]
    assert c["ajustement_iv_3"].tolist() == [-6, 3, 2, 1, 0]
    assert c["sieges"].tolist() == [21, 13, 6, 2, 1]
    assert c["conseillers_municipaux"].tolist() == [45, 35, 29, 27, 15]
    assert (r.sieges_tableau, r.sieges_de_droit, r.sieges_iii_iv, r.total) == (42, 1, 43, 43)
    assert not r.v_applique and r.sieges_vi_maximum == 4 and r.reduction_iv_4 == 0
    assert c.loc["A", "quotient"] == pytest.approx(25.103448, abs=1e-6)


def test_vi_exemple_5_communes_2014_et_2015():
    """CGCT art. L5211-6-1 VI (exemples.md A-2 and A-3).

    2014 text: up to 4 seats, the half cap of a CA stays (⌊47/2⌋ = 23). Key of illustration (highest average from
    21/13/6/2/1): A 52 000/22 = 2 363.64, A 52 000/23 = 2 260.87 (cap 23 reached), B 21 000/14 = 1 500 > C 1 357.14,
    B 21 000/15 = 1 400 > 1 357.14 → A 23, B 15, C 6, D 2, E 1 = 47.
    From loi n° 2015-264, reading « proportionnalité » (20 % test of I 2° e)): +4 fails (B 15/47 → ratio 1.322),
    and one checks that +2, +3 and +4 have no admissible allocation (A must stay ≥ 0.8 × T × 0.5977 and ≤ ⌊T/2⌋, so it
    takes 1 or 2 seats; any seat to B, C, D or E then raises its deviation: B 14/45 → 1.289 > 1.2525, C 7/45 → 1.425,
    D 3/45 → 1.526, E 2/45 → 5.52). +1 to A (44 seats): A 22/44 → 0.8365, B 13/44 → 1.2240 (III+IV 1.2525, reduced:
    exception (i)), C 6/44 → 1.2488 (< 1.2778, (i)), D 2/44 → 1.0407, E one seat (c) → the only valid VI."""
    assert sieges_droit_commun(TOY, "2013-08-31", CA, True).sieges.tolist() == [23, 15, 6, 2, 1]
    r = sieges_droit_commun(TOY, "2019-08-31", CA, True)
    assert r.sieges.tolist() == [22, 13, 6, 2, 1] and r.sieges_vi == 1
    assert sieges_droit_commun(TOY, "2019-08-31", CA, True, lecture_vi="libre").total == 47
    vi = repartitions_vi_valides(TOY, "2019-08-31", CA)
    assert vi.nombre == 1 and vi.repartitions.iloc[0].tolist() == [22, 13, 6, 2, 1, 44]


def test_droit_commun_22_communes_2016_regression_conseil_2020():
    """CGCT art. L5211-6-1 III, IV, VI with the 2016 populations (decree of December 2018, 2020 renewal;
    exemples.md D). Total 282 828 → 72 seats; quotient 3 928.17: 63 seats at the quotient, 9 at the highest average
    (Orléans 30, Saint-Denis-en-Val 2, Orléans 31, Orléans 32 — 3 586.94 against Olivet 3 586.67 —, Olivet 6,
    Fleury 6, Orléans 33, La Chapelle 3, Saint-Jean-de-Braye 6 — 3 396.00 against Orléans 3 375.94). IV 2°: 9 communes
    under the quotient get a seat → 81; Orléans 33 < ⌊81/2⌋ = 40 and < 55 councillors. VI: ⌊8.1⌋ = 8 → 89 = the
    council elected in 2020 (« Les 89 élus métropolitains », olivet.fr). Counter-test, 2019 row (288 229): 72 + 9 = 81,
    Orléans 34 and La Chapelle 2 (the 72nd seat changes commune)."""
    p16 = populations(2016)
    r = sieges_droit_commun(p16, "2019-08-31", "metropole", True)
    c = r.communes
    attendus = {"Orléans": 33, "Olivet": 6, "Fleury-les-Aubrais": 6, "Saint-Jean-de-Braye": 6, "Saran": 4,
                "Saint-Jean-de-la-Ruelle": 4, "La Chapelle-Saint-Mesmin": 3, "Ingré": 2, "Chécy": 2,
                "Saint-Jean-le-Blanc": 2, "Saint-Denis-en-Val": 2, "Saint-Pryvé-Saint-Mesmin": 1, "Ormes": 1}
    for nom, s in attendus.items():
        assert c.loc[nom, "sieges_iii_iv"] == s, nom
    assert c["siege_de_droit_iv_2"].sum() == 9 and c.loc["Combleux", "sieges_iii_iv"] == 1
    assert (r.population, r.sieges_tableau, r.sieges_iii_iv, r.sieges_vi_maximum, r.total) == (282_828, 72, 81, 8, 89)
    assert r.sieges_vi == 8 and sieges_droit_commun(p16, "2019-08-31", "metropole", True, lecture_vi="libre").total == 89
    r19 = sieges_droit_commun(populations(2019), "2019-08-31", "metropole")
    assert r19.sieges_iii_iv == 81 and r19.communes.loc["Orléans", "sieges"] == 34
    assert r19.communes.loc["La Chapelle-Saint-Mesmin", "sieges"] == 2


def test_iv_4_plafond_conseillers_municipaux_et_iv_5():
    """CGCT art. L5211-6-1 IV 4° and 5°, with L2121-2 (7 councillors under 100 inhabitants from 2014, 9 before).

    A = 90, B = 60 (150 inhabitants → 16 seats). Averages A 90, 45, 30, 22.5, 18, 15, 12.86, 11.25, 10, 9; B 60, 30,
    20, 15, 12, 10: n = 16 → 10/6; IV 3° caps A at 8 and gives B 2 → 8/8. 2013: 9 councillors each, no cap → 16.
    2015: 8 > 7 → reduce: n = 15 → 9/6 → A 7, B 8 > 7; n = 14 → the 14th seat is tied at 10 (A and B, IV 5°: both)
    → 9/6 → A 7, B 8; n = 13 → 8/5 → A ⌊13/2⌋ = 6, B 7 ≤ 7 → 13 seats, reduction 3.
    IV 5° alone: three communes of 4 000 (26 seats): 8 each, then three equal averages for the last two seats →
    each gets one → 27."""
    deux = pd.Series({"A": 90, "B": 60})
    r13 = sieges_droit_commun(deux, 2013, "communaute_communes")
    assert r13.sieges.tolist() == [8, 8] and r13.reduction_iv_4 == 0
    r15 = sieges_droit_commun(deux, 2015, "communaute_communes")
    assert r15.sieges.tolist() == [6, 7] and (r15.reduction_iv_4, r15.total) == (3, 13)
    trois = sieges_droit_commun(pd.Series({"A": 4_000, "B": 4_000, "C": 4_000}), 2015, CA)
    assert trois.sieges.tolist() == [9, 9, 9] and trois.sieges_egalite_iv_5 == 1


def test_v_sieges_supplementaires_de_droit():
    """CGCT art. L5211-6-1 V; CE 15 November 2017 n° 410338 (highest average on the IV 1° seats, rounded down).

    A 3 000, B 2 500, C 2 000 and ten communes of 100 to 190 (8 950 → 22 seats). IV 1°: A 9, B 7, C 6 (divisor
    333.33; the small communes never reach 190 > 2 000/7); IV 2°: 10 seats of right → 32. V: 10 > 30 % × 22 = 6.6 →
    ⌊10 % × 32⌋ = 3 seats at the highest average on the 1° seats: B 2 500/8 = 312.5, A 3 000/10 = 300,
    C 2 000/7 = 285.7 → A 10, B 8, C 7, total 35, and no VI. A communauté urbaine has no V: VI maximum ⌊3.2⌋ = 3."""
    pops = pd.Series({"A": 3_000, "B": 2_500, "C": 2_000, **{f"p{x}": x for x in range(100, 200, 10)}})
    r = sieges_droit_commun(pops, 2015, CA, True)
    assert r.v_applique and r.sieges_v == 3 and r.total == 35 and r.sieges_vi == 0 and r.sieges_vi_maximum == 0
    assert r.sieges.iloc[:3].tolist() == [10, 8, 7] and (r.sieges.iloc[3:] == 1).all()
    cu = sieges_droit_commun(pops, 2015, "communaute_urbaine")
    assert not cu.v_applique and cu.total == 32 and cu.sieges_vi_maximum == 3


def test_entrees_invalides():
    """Populations must be positive integers with unique communes; no table before the loi RCT (2010-12-18)."""
    for mauvais in (pd.Series({"A": 0}), pd.Series([1, 2], index=["A", "A"]), pd.Series({"A": 1.5}), pd.Series()):
        with pytest.raises(ValueError):
            sieges_droit_commun(mauvais, 2015, CA)
    with pytest.raises(ValueError, match="catégorie"):
        sieges_droit_commun(TOY, 2015, "syndicat")
    with pytest.raises(KeyError, match="sans version"):
        sieges_droit_commun(TOY, 2009, CA)


def test_poids_conseil():
    """Ratio of art. L5211-6-1 I 2° e): A (21/43) / (52 000/87 000) = 0.488372 / 0.597701 = 0.81708; E (1/43) /
    (700/87 000) = 2.89037."""
    t = poids_conseil(pd.Series({"A": 21, "B": 13, "C": 6, "D": 2, "E": 1}), TOY)
    assert t.loc["A", "ratio"] == pytest.approx(0.817084, abs=1e-6)
    assert t.loc["E", "ratio"] == pytest.approx(2.890365, abs=1e-6)
    assert t["part_sieges"].sum() == pytest.approx(1) and t.index[0] == "A"


# ------------------------------------------------------------------------------------------------ accord local

ACCORD = pd.Series({"A": 15, "B": 8, "C": 4, "D": 2, "E": 1})


def test_accord_local_15_8_4_2_1_loi_2015():
    """CGCT art. L5211-6-1 I 2° a) to e) (loi n° 2015-264; exemples.md A-4). Total 30 ≤ ⌊1.25 × 43⌋ = 53; A 15/30
    is not « plus de la moitié ». Ratios (seats/30)/(pop/87 000): A 0.8365 (tunnel), B 1.1048 (tunnel), C 1.2211 —
    outside, but III+IV gave 6/43 → 1.2778 and the accord reduces the deviation (exception (i)), D 1.5263 — one seat
    at IV 1°, two in the accord (exception (ii)), E 4.1429 — one seat, « sans préjudice du c »."""
    v = verifier_accord_local(TOY, ACCORD, "2019-08-31")
    assert v.valide and v.violations.empty and (v.total, v.total_maximum, v.sieges_iii_iv) == (30, 53, 43)
    assert v.communes["motif"].tolist() == ["tunnel", "tunnel", "exception_i", "exception_ii", "siege_minimal_c"]
    assert v.communes["ratio"].round(4).tolist() == [0.8365, 1.1048, 1.2211, 1.5263, 4.1429]
    assert v.communes.loc["C", "ratio_iii_iv"] == pytest.approx(1.277846, abs=1e-6)


def test_accord_local_regles_violees_et_lectures():
    """Each violated rule is named with its article. A 16 of 31 > half (d); 54 seats > 53 (a); a less populous
    commune with more seats (« en fonction de la population », reading ``monotonie``); in the QPC window (21 June
    2014 – 10 March 2015) no accord local; in a CU none ever. Readings: without the primacy of c), E (4.14) fails e);
    with exception (ii) based on the III + IV seats, D (2 seats there) loses it and fails (1.526)."""
    def regles(rep, date="2019-08-31", categorie=CA, **kw):
        return verifier_accord_local(TOY, pd.Series(rep), date, categorie, **kw).violations["regle"].tolist()

    assert regles({"A": 16, "B": 8, "C": 4, "D": 2, "E": 1}) == ["moitie_des_sieges"]
    assert "plafond_total" in regles({"A": 26, "B": 15, "C": 7, "D": 4, "E": 2})
    assert "en_fonction_population" in regles({"A": 15, "B": 4, "C": 5, "D": 2, "E": 1})
    assert regles(ACCORD, "2014-09-01") == ["accord_local_non_prevu"]
    assert regles(ACCORD, categorie="communaute_urbaine") == ["categorie"]
    assert regles(ACCORD, lectures=Lectures(siege_minimal_prime=False)) == ["ecart_proportionnalite"]
    assert regles(ACCORD, lectures=Lectures(exception_ii="iii_iv")) == ["ecart_proportionnalite"]
    art = verifier_accord_local(TOY, pd.Series({"A": 16, "B": 8, "C": 4, "D": 2, "E": 1}), "2019-08-31").violations
    assert art.loc[0, "article"] == "CGCT art. L5211-6-1 I 2° d) (loi n° 2015-264 du 9 mars 2015)"


def test_accord_local_avant_la_qpc():
    """CGCT art. L5211-6-1 I, rédaction de la loi n° 2012-1561 (2013-2014): ≥ 1 seat, ≤ half, total ≤ 125 % of
    III + IV (⌊53.75⌋ = 53), « tient compte de la population » — no 20 % test: 15/8/4/2/1 is valid, and so is
    26/13/7/5/2 (53 seats; A 26 ≤ 26.5; E (2/53)/(700/87 000) = 4.69 and D 2.16 would fail the 2015 test). Under the loi RCT (before 2 January 2013)
    the cap was 10 %: ⌊1.10 × 43⌋ = 47, so 53 seats are too many."""
    assert verifier_accord_local(TOY, ACCORD, "2013-08-31").valide
    large = pd.Series({"A": 26, "B": 13, "C": 7, "D": 5, "E": 2})
    assert verifier_accord_local(TOY, large, "2013-08-31").valide
    assert not verifier_accord_local(TOY, large, "2019-08-31").valide
    avant = verifier_accord_local(TOY, large, "2012-06-01")
    assert avant.total_maximum == 47 and avant.violations["regle"].tolist() == ["plafond_total"]


def test_accords_locaux_valides_exemple():
    """The enumeration (as the AMF simulator) lists the accord 15/8/4/2/1 among the 30-seat ones, and starts at
    9 seats with a single accord: A 4 (≥ 0.8 × 9 × 0.5977 = 4.30 would exceed ⌊9/2⌋ = 4, the d) prevails), B 2 (ratio
    0.92), C 1 (1.02), D 1 and E 1 (one seat, c)). 8 seats are impossible: A must have 4 (3/8 → 0.63), B 2 (the only
    number in [1.55 ; 2.32]), C, D, E ≥ 1 → 9 > 8. Every listed accord passes :func:`verifier_accord_local`, and the
    counts equal a brute-force count over all vectors."""
    r = accords_locaux_valides(TOY, "2019-08-31", limite=10_000)
    assert not r.tronque and r.repartitions["total"].is_monotonic_increasing
    assert r.repartitions.iloc[0].tolist() == [4, 2, 1, 1, 1, 9]
    assert int(r.nombre_par_total[9]) == 1 and int(r.nombre_par_total[8]) == 0
    trente = r.repartitions[r.repartitions.total == 30].drop(columns="total")
    assert [15, 8, 4, 2, 1] in trente.values.tolist()
    for _, ligne in r.repartitions.iterrows():
        assert verifier_accord_local(TOY, ligne.drop("total"), "2019-08-31").valide
    pops, dc, iv1 = TOY.tolist(), [21, 13, 6, 2, 1], [27, 10, 4, 1, 0]

    def admis(i: int, s: int, t: int) -> bool:  # the e) test written out independently, default readings
        r_ = Fraction(s * 87_000, t * pops[i])
        r_dc = Fraction(dc[i] * 87_000, 43 * pops[i])
        return (abs(r_ - 1) <= Fraction(1, 5) or (abs(r_dc - 1) > Fraction(1, 5) and abs(r_ - 1) <= abs(r_dc - 1))
                or (s == 2 and iv1[i] == 1) or (s == 1 and r_ > 1) or (s == t // 2 and r_ < 1))

    force = 0
    for v in product(range(1, 27), range(1, 17), range(1, 8), range(1, 4), range(1, 3)):
        t = sum(v)
        force += (t <= 53 and all(2 * x <= t for x in v) and list(v) == sorted(v, reverse=True)
                  and all(admis(i, x, t) for i, x in enumerate(v)))
    assert force == r.nombre == len(r.repartitions)
    with pytest.raises(ValueError, match="accord local"):
        accords_locaux_valides(TOY, "2014-09-01")


def test_accords_locaux_22_communes_hypothese_ca():
    """If the AgglO had stayed a CA for the 2020 renewal (2016 populations): III + IV = 81, total ≤ ⌊1.25 × 81⌋ =
    101; the listed accords pass the checker and the list stops at ``limite`` (the exact count is given)."""
    r = accords_locaux_valides(populations(2016), "2019-08-31", limite=5)
    assert (r.sieges_iii_iv, r.total_maximum) == (81, 101) and r.tronque and len(r.repartitions) == 5
    assert r.nombre == int(r.nombre_par_total.sum()) > 5
    for _, ligne in r.repartitions.iterrows():
        assert verifier_accord_local(populations(2016), ligne.drop("total"), "2019-08-31").valide
