"""Qualified majorities, pivot coalitions, eligibility to a category and the competences a category change implies.

Expected values are computed by hand in the docstrings. Toy perimeter: A = 52 000, B = 21 000, C = 9 500,
D = 3 800, E = 700 (87 000). Tables are read here with pandas (the functions read no file).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from orleans_gov.scenarios.gouvernance import (coalitions_pivots, comparer_transferts, ecart_competences, eligibilite,
                                               majorite_qualifiee, transferts_constates)
from orleans_gov.scenarios.gouvernance.categories import STATUTS

from conftest import REEL

TOY = pd.Series({"A": 52_000, "B": 21_000, "C": 9_500, "D": 3_800, "E": 700})
COMPETENCES = REEL / "competences"


def competences() -> pd.DataFrame:
    return pd.read_csv(COMPETENCES / "competences_agglo-orleans.csv", dtype=str, keep_default_na=False)


def requis() -> pd.DataFrame:
    return pd.read_csv(COMPETENCES / "competences_par_categorie.csv", dtype=str, keep_default_na=False)


def populations_2016() -> pd.Series:
    t = pd.read_csv(REEL / "population" / "population-municipale_22-communes_2016-2023.csv")
    return t[t.millesime_recensement == 2016].set_index("nom")["population_municipale"]


# ------------------------------------------------------------------------------------------------ majorities

def test_transfert_competence_une_coalition_adopte_une_bloque():
    """CGCT art. L5211-17 and L5211-5 II: « deux tiers au moins des conseils […] représentant plus de la moitié de la
    population […] ou […] la moitié au moins des conseils […] représentant les deux tiers », including the most
    populous commune above a quarter. Toy: branch 1 needs ⌈10/3⌉ = 4 councils and > 43 500 inhabitants, branch 2
    ⌈5/2⌉ = 3 councils and ≥ 58 000; A (59.8 % > 25 %) is required.
    A, B, C for: 3 councils, 82 500 → branch 2 ✓ → carried. A against, B to E for: 4 councils but 35 000 ≤ 43 500
    and < 58 000, and A is missing → blocked."""
    oui = majorite_qualifiee({"A": True, "B": True, "C": True, "D": False, "E": False}, TOY, 2016,
                             "transfert_competence")
    assert oui.adoptee and oui.plus_peuplee == "A" and oui.plus_peuplee_requise
    assert oui.branches[["conseils_requis", "population_requise"]].values.tolist() == [[4, 43_501], [3, 58_000]]
    assert oui.branches["satisfaite"].tolist() == [False, True]
    non = majorite_qualifiee({"A": False, "B": True, "C": True, "D": True, "E": True}, TOY, 2016,
                             "transfert_competence")
    assert not non.adoptee and not non.plus_peuplee_pour and non.branches["population_pour"].tolist() == [35_000] * 2


def test_silence_et_regles_datees():
    """Silence for three months is consent for a transfer (L5211-17) but no rule gives it for an accord local
    (L5211-6-1 I): A and B for, the rest silent → transfer carried (5 councils, 87 000), accord local not (2 < 3
    councils). Accord local of the 22 communes, Orléans (40.6 %) against and the 21 others for (168 046 ≥ 141 414 =
    « la moitié », 21 ≥ 15 councils): carried under the 2012 text (no clause), blocked from loi n° 2015-264
    (Orléans required), impossible in the QPC window."""
    votes = {"A": True, "B": True}
    assert majorite_qualifiee(votes, TOY, 2016, "transfert_competence").adoptee
    assert not majorite_qualifiee(votes, TOY, 2016, "accord_local").adoptee
    p = populations_2016()
    sans_orleans = {c: c != "Orléans" for c in p.index}
    assert majorite_qualifiee(sans_orleans, p, "2013-06-01", "accord_local").adoptee
    assert not majorite_qualifiee(sans_orleans, p, "2019-06-01", "accord_local").adoptee
    qpc = majorite_qualifiee({c: True for c in p.index}, p, "2014-10-01", "accord_local")
    assert not qpc.adoptee and "2014-405 QPC" in qpc.reference
    assert majorite_qualifiee(sans_orleans, p, "2017-03-15", "statut_metropole").adoptee  # L5217-1: no clause
    assert not majorite_qualifiee(sans_orleans, p, "2016-06-01", "changement_categorie").adoptee  # L5211-41
    with pytest.raises(ValueError, match="inconnue"):
        majorite_qualifiee(votes, TOY, 2016, "majorite_simple")
    with pytest.raises(ValueError, match="inconnues"):
        majorite_qualifiee({"Z": True}, TOY, 2016, "transfert_competence")


def test_deux_tiers_du_conseil_et_unanimite():
    """« à la majorité des deux tiers du conseil » (L5216-5 III, L5215-20 I, L5217-2 I) on the toy council 21/13/6/2/1
    (43 seats): ⌈2/3 × 43⌉ = 29. A + C + D = 29 → carried; A + C + E = 28 → not. Votes cast only, B absent: 30
    seats, ⌈20⌉ = 20 ≤ A's 21. Delegations may split: A 21 + B 8 of 13 = 29. Unanimity of the councils: one
    against → not."""
    sieges = pd.Series({"A": 21, "B": 13, "C": 6, "D": 2, "E": 1})
    def vote(v, **kw):
        return majorite_qualifiee(v, TOY, 2016, "deux_tiers_conseil", sieges=sieges, **kw).adoptee
    assert vote({"A": True, "B": False, "C": True, "D": True, "E": False})
    assert not vote({"A": True, "B": False, "C": True, "D": False, "E": True})
    assert vote({"A": True, "C": False, "D": False, "E": False}, base="exprimes")
    assert vote({"A": True, "B": 8, "C": False, "D": False, "E": False})
    assert not majorite_qualifiee({c: c != "E" for c in TOY.index}, TOY, 2016, "unanimite_communes").adoptee
    with pytest.raises(ValueError, match="sièges"):
        majorite_qualifiee({"A": True}, TOY, 2016, "deux_tiers_conseil")


def test_pivots_exemple_et_22_communes():
    """Smallest coalitions (L5211-5 II). Toy, transfer: no branch with 2 councils; with 3 (≥ 58 000, A included):
    ABC, ABD, ABE (A + B = 73 000), ACD 65 300, ACE 62 200 carry, ADE 56 500 does not → size 3, 5 coalitions; A alone
    blocks (veto). 22 communes, accord local 2013 (no clause): 11 councils with ≥ 2/3 of the population carry
    (branch 2; 10 cannot: 10 < 11 and < 15). Blocking: the others must fall below ⌈282 828/2⌉ = 141 414 (branch 1;
    branch 2 then fails too), so the blockers need ≥ 141 415; Orléans + Olivet = 136 302 is not enough, any 3
    communes without Orléans ≤ 62 869: the size is 3, Orléans + x + y with x + y ≥ 26 633: with Olivet 10 partners
    (down to Saint-Pryvé 5 666), with Fleury 9 (down to 5 666 ≥ 5 660), with Saint-Jean-de-Braye 7 (down to Saint-Denis
    7 507 ≥ 6 257), Saran + Saint-Jean-de-la-Ruelle 1 → 27; no veto. From 2015 Orléans alone blocks."""
    a = coalitions_pivots(TOY, 2016, "transfert_competence")
    assert (a.taille_adoption, a.nombre_adoption) == (3, 5)
    assert a.coalitions_adoption == [("A", "B", "C"), ("A", "B", "D"), ("A", "B", "E"), ("A", "C", "D"),
                                     ("A", "C", "E")]
    assert (a.taille_blocage, a.nombre_blocage, a.veto) == (1, 1, ["A"])
    p = populations_2016()
    b = coalitions_pivots(p, "2013-06-01", "accord_local", limite=3)
    assert b.taille_adoption == 11 and b.coalitions_adoption[0][0] == "Orléans"
    assert (b.taille_blocage, b.nombre_blocage, b.veto) == (3, 27, [])
    assert b.coalitions_blocage[0] == ("Orléans", "Olivet", "Fleury-les-Aubrais")
    c = coalitions_pivots(p, "2019-06-01", "accord_local", limite=3)
    assert (c.taille_blocage, c.veto) == (1, ["Orléans"])


# ------------------------------------------------------------------------------------------------ eligibility

def test_eligibilite_communaute_urbaine_2013_2015():
    """CGCT art. L5215-1: « plus de 450 000 habitants » (loi n° 2010-1563) until 28 January 2014, « plus de 250 000 »
    from 29 January 2014 (loi n° 2014-58, art. 68, JO of 28 January). A 280 000-inhabitant EPCI: not eligible in
    2013 (280 000 ≤ 450 000) nor on 2014-01-28, eligible on 2014-01-29 and in 2015 (280 000 > 250 000)."""
    assert not eligibilite(280_000, 2013, False, None).communaute_urbaine
    assert not eligibilite(280_000, "2014-01-28", False, None).communaute_urbaine
    assert eligibilite(280_000, "2014-01-29", False, None).communaute_urbaine
    e = eligibilite(280_000, 2015, False, None)
    assert e.communaute_urbaine and e.criteres.iloc[0]["seuil_population"] == 250_000


def test_eligibilite_metropole_orleans():
    """CGCT art. L5217-1. 2016 (MAPTAM): 282 828 < 400 000 (1°), aire urbaine (test value 430 000) < 650 000
    (automatic route), zone d'emplois without the competences of L5217-2 I (2°) → not eligible. From 2 March 2017
    (loi n° 2017-257, art. 70), 3°: chef-lieu de région and centre of a zone d'emplois of more than 400 000 (test
    value 420 000; decree n° 2017-686 found it met) → eligible, as Orléans Métropole on 1 May 2017. Unknown zone
    d'emplois → ``None``."""
    avant = eligibilite(282_828, "2016-06-01", True, 420_000, aire_urbaine_population=430_000,
                        competences_l5217_2=False)
    assert avant.metropole is False and avant.communaute_urbaine
    apres = eligibilite(282_828, "2017-04-28", True, 420_000)
    assert apres.metropole is True
    voies = apres.criteres.set_index("voie")
    assert voies.loc["demande_3", "satisfaite"] and not voies.loc["demande_1", "satisfaite"]
    assert eligibilite(282_828, "2017-04-28", True, None).metropole is None
    assert eligibilite(282_828, "2017-04-28", False, 380_000).metropole is False


# ------------------------------------------------------------------------------------------------ competences

def test_table_des_competences_par_categorie():
    """The required-competences table covers every domaine of the competence table exactly once, uses known
    statuts, and gives an article and a date to every requirement."""
    r, c = requis(), competences()
    assert set(c.domaine) <= set(r.domaine) and r.domaine.is_unique
    for cat in ("communaute_agglomeration", "communaute_urbaine", "metropole"):
        assert set(r[f"{cat}_obligatoire"]) <= set(STATUTS)
        exig = r[r[f"{cat}_obligatoire"].isin(["oui", "interet_communautaire", "implicite"])]
        assert (exig[f"{cat}_article"] != "").all()
        assert all(dt.date.fromisoformat(x) for x in exig[f"{cat}_depuis"])
    assert (r.source != "").all()


JANVIER = ["Eau potable", "Équipements culturels d'intérêt communautaire",
           "Équipements sportifs d'intérêt communautaire", "Plan local d'urbanisme",
           "Zones d'activité (totalité, au-delà de l'intérêt communautaire)",
           "Promotion du tourisme (office de tourisme)", "Commerce de proximité (accompagnement)",
           "Gestion des milieux aquatiques et prévention des inondations (GEMAPI)",
           "Voirie (totalité) et aires de stationnement", "Réhabilitation des logements insalubres",
           "Cimetières (création, extension ; gestion des cimetières d'intérêt métropolitain depuis mai 2017)",
           "Transition énergétique, réseaux de chaleur et de froid urbains",
           "Concession de la distribution publique d'électricité et de gaz"]


def test_transferts_constates():
    """The competence table (README: transfers of 2017 have niveau « communes » or « partagée », the note says so):
    13 rows quote « Transférées / Acquises au 1er janvier 2017 » or say « transfert 2017 » (the electricity and gas
    concession, whose note only cites « dans le cadre de la Communauté Urbaine »); the cemeteries row alone is dated
    « mai 2017 ». Rows held by the AgglO whose notes merely cross-refer to 2017 (développement économique, voirie
    d'intérêt communautaire) are not transfers."""
    t = transferts_constates(competences(), "2017-12-31")
    janvier = t[t.date_transfert == dt.date(2017, 1, 1)]
    assert janvier["domaine"].tolist() == JANVIER
    assert t[t.date_transfert == dt.date(2017, 5, 1)]["domaine"].tolist() == [JANVIER[10]]
    assert janvier.set_index("domaine").loc[JANVIER[-1], "indice"] == "transfert 2017"
    assert transferts_constates(competences(), "2016-12-31").empty


def test_ecart_communaute_urbaine_2017():
    """CGCT art. L5215-20 (MAPTAM / Lamy versions) against the AgglO's niveau: the CU must hold 14 domaines of the
    table that the AgglO held only partly or not at all (the 13 transfers of January 2017 and « environnement hors
    déchets », partagée: air, bruit, énergie, 6° b-d), plus 4 required domaines absent from the table (lycées et
    collèges 1° d, abattoirs 5° c, SDIS 5° d, bornes de recharge 5° h). GEMAPI is listed as not yet required (1 January
    2018). Voirie d'intérêt communautaire is not counted: its remainder is the « Voirie (totalité) » row."""
    e = ecart_competences(competences(), requis(), "communaute_urbaine", "2017-01-01").set_index("domaine")
    assert set(e.index[e.dans_table]) == set(JANVIER) | {
        "Environnement et cadre de vie hors déchets (air, bruit, maîtrise de l'énergie, développement durable)"}
    assert len(e) == 18 and (~e.dans_table).sum() == 4
    assert not e.loc[JANVIER[7], "requis_a_date"] and e.loc[JANVIER[7], "depuis"] == dt.date(2018, 1, 1)
    assert e.loc["Eau potable", "article"] == "CGCT art. L5215-20 I 5° a)"
    assert e["requis_a_date"].sum() == 17


def test_backtest_communaute_urbaine_1er_janvier_2017():
    """« The CU of 1 January 2017 must transfer those competences and no others unless the law required them »: every
    transfer the table records is required by L5215-20 at that date, except GEMAPI, required only from 1 January
    2018 (an anticipated transfer); the law's requirement on air, bruit and énergie (6° b-d, niveau « partagée ») is
    not shown as transferred; four requirements are absent from the table."""
    b = comparer_transferts(competences(), requis(), "communaute_urbaine", "2017-01-01").set_index("domaine")
    par_statut = b.groupby("statut").size().to_dict()
    assert b.index[b.statut == "constate_non_requis"].tolist() == []
    assert b.index[b.statut == "constate_anticipe"].tolist() == [JANVIER[7]]
    assert sorted(b.index[b.statut == "requis_et_constate"]) == sorted(set(JANVIER) - {JANVIER[7]})
    assert b.index[b.statut == "requis_non_constate"].tolist() == [
        "Environnement et cadre de vie hors déchets (air, bruit, maîtrise de l'énergie, développement durable)"]
    assert par_statut["requis_absent_de_la_table"] == 4


def test_backtest_metropole_1er_mai_2017():
    """CGCT art. L5217-2 after the CU: the only transfer the table dates to May 2017 (management of the cemeteries of
    intérêt métropolitain, 5° b) is required; défense extérieure contre l'incendie (5° e) is required but the table
    shows no transfer — it gives the AgglO the competence on a source marked « à confirmer »; valorisation du
    patrimoine naturel (2° a) and gares (2° d), transferred according to the table's README, have no row."""
    b = comparer_transferts(competences(), requis(), "metropole", "2017-05-01", "communaute_urbaine")
    b = b.set_index("domaine")
    assert b.index[b.constate].tolist() == [JANVIER[10]] and b.loc[JANVIER[10], "statut"] == "requis_et_constate"
    assert b.loc["Défense (extérieure) contre l'incendie", "statut"] == "requis_detenu_a_confirmer"
    absents = set(b.index[b.statut == "requis_absent_de_la_table"])
    assert {"Valorisation du patrimoine naturel et paysager", "Gouvernance et aménagement des gares"} <= absents
    assert JANVIER[7] not in b.index  # GEMAPI: moved in January, required from 2018
    assert b.loc["Eau potable", "statut"] == "requis_deja_detenu"  # moved on 1 January


def test_competences_entrees_invalides():
    """Unknown niveau, statut or category are refused with the offending values."""
    c = competences()
    c.loc[0, "niveau"] = "syndicat"
    with pytest.raises(ValueError, match="niveaux inconnus"):
        ecart_competences(c, requis(), "communaute_urbaine", 2017)
    with pytest.raises(ValueError, match="catégorie"):
        ecart_competences(competences(), requis(), "departement", 2017)
    r = requis()
    r.loc[0, "metropole_obligatoire"] = "peut-être"
    with pytest.raises(ValueError, match="statuts inconnus"):
        comparer_transferts(competences(), r, "metropole", "2017-05-01")
