"""Schéma de mutualisation (art. L5211-39-1 CGCT), services communs (art. L5211-4-2), coefficient de mutualisation
(art. L5211-4-1 V, loi n° 2014-58 art. 55). Expected values computed by hand in the docstrings.

Toy collection table (reference year 2014, FTE / personnel cost k€):

============  ==========  =====================  ============  =============
entity        finances    ressources humaines    informatique  communication
============  ==========  =====================  ============  =============
A (30 000)    10 / 400    6 / 240                4 / 200       3 / 120
B (10 000)    4 / 150     2 / 80                 1 / 45        1 / 40
EPCI          8 / 360     5 / 210                3 / 150       2 / 90
============  ==========  =====================  ============  =============
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from orleans_gov.base.parametres import lire_parametres
from orleans_gov.scenarios.gouvernance import (AlignementRI, ServiceCommunSpec, coefficient_mutualisation,
                                               echeances_schema, schema_mutualisation)

VALEURS = {"A": [(10, 400), (6, 240), (4, 200), (3, 120)], "B": [(4, 150), (2, 80), (1, 45), (1, 40)],
           "EPCI": [(8, 360), (5, 210), (3, 150), (2, 90)]}
FONCTIONS = ["finances", "ressources humaines", "informatique", "communication"]
FS = pd.DataFrame([{"entite": e, "an": 2014, "fonction_support": f, "etp": etp, "cout": c, "provenance": "exemple"}
                   for e, v in VALEURS.items() for f, (etp, c) in zip(FONCTIONS, v)])
POP = pd.Series({"A": 30_000, "B": 10_000})
FIN_RH = ServiceCommunSpec("finances_rh", ("finances", "ressources humaines"), ("A", "B"), 2015, cle="etp",
                           financement="imputation_ac", economies_etp={2016: 1, 2017: 2},
                           alignement=AlignementRI("keur_par_etp", 1.0))
INFO = ServiceCommunSpec("informatique", ("informatique",), ("A", "B"), 2016, cle="population",
                         financement="refacturation", alignement=AlignementRI("part_cout", 0.02))


def schema(services=(FIN_RH, INFO), date="2015-06-01"):
    return schema_mutualisation(FS, list(services), date, epci="EPCI", annees=[2015, 2016, 2017], populations=POP)


def test_schema_deux_services_imputation_ac_et_regime_indemnitaire():
    """Service 1 (finances + RH, from 2015, ETP key, imputation on the AC, L5211-4-2 al. 5): pooled A 16 FTE / 640,
    B 6 / 230, EPCI 13 / 570 → 35 FTE, 1 440 k€, 1 440 / 35 = 41,142857 per FTE. Transferred 22 FTE (A 16, B 6) /
    870 k€; régime indemnitaire alignment 1 k€ × 22 = 22 a year. FTE saved 1 (2016), 2 (2017). Cost 2015 1 462;
    2016 1 462 − 41,142857 = 1 420,857143; 2017 1 379,714286. Key 16/35, 6/35, 13/35: A pays 1 462 × 16 / 35 =
    668,342857 in 2015 (its AC falls by as much), net 640 − 668,342857 = −28,342857; 2017 A 630,726531, net
    +9,273469. Σ net 2015 = −22 (the alignment).
    Service 2 (informatique, from 2016, population key, refacturation): 200 + 45 + 150 = 395; the EPCI bears its own
    share 150 / 395, A and B the rest 245 / 395 by population 3:1; alignment 2 % × 245 = 4,9 → 399,9. A pays
    399,9 × 183,75 / 395 = 186,029430 (net +13,970570), B 399,9 × 61,25 / 395 = 62,009810 (net −17,009810).
    A 2016 over both services: cost avoided 640 + 200 = 840, contributions 1 420,857143 × 16 / 35 = 649,534694 +
    186,029430 = 835,564124, net +4,435876; AC −649,534694, refacturation 186,029430."""
    s = schema()
    sv = s.services.set_index("service")
    assert sv.loc["finances_rh", ["etp", "cout", "etp_transferes", "cout_transferes", "alignement_ri"]].tolist() == [
        35, 1440, 22, 870, 22]
    assert round(sv.at["informatique", "alignement_ri"], 9) == 4.9
    tr = s.trajectoire.set_index(["service", "annee"])
    assert [round(tr.at[("finances_rh", a), "cout_service"], 6) for a in (2015, 2016, 2017)] == [
        1462.0, 1420.857143, 1379.714286]
    assert not tr.at[("informatique", 2015), "actif"] and tr.at[("informatique", 2016), "cout_service"] == 399.9
    ef = s.effets.set_index(["service", "annee", "entite"])
    assert round(ef.at[("finances_rh", 2015, "A"), "contribution"], 6) == 668.342857
    assert round(ef.at[("finances_rh", 2015, "A"), "variation_ac"], 6) == -668.342857
    assert round(ef.at[("finances_rh", 2017, "A"), "effet_net"], 6) == 9.273469
    assert round(ef.loc[("finances_rh", 2015), "effet_net"].sum(), 9) == -22
    assert round(ef.at[("informatique", 2016, "B"), "effet_net"], 6) == -17.00981
    assert round(ef.at[("informatique", 2016, "A"), "refacturation"], 6) == 186.02943
    assert ef.at[("informatique", 2016, "EPCI"), "refacturation"] == 0
    tot = s.effet_entites.set_index(["annee", "entite"])
    assert round(tot.at[(2016, "A"), "effet_net"], 6) == 4.435876
    assert round(tot.at[(2016, "A"), "variation_ac"], 6) == -649.534694
    perso = s.personnel.set_index(["service", "entite"])
    assert perso.loc[("finances_rh", "A"), ["etp_transferes", "cout_transferes"]].tolist() == [16, 640]
    assert len(s.etat_des_lieux) == 12 and s.annee_reference == 2014
    lieux = s.etat_des_lieux.set_index(["fonction_support", "entite"])["service"]
    assert lieux[("informatique", "EPCI")] == "informatique" and pd.isna(lieux[("communication", "A")])


def test_coefficient_de_mutualisation():
    """L5211-4-1 V: EPCI functional staff 360 + 210 + 150 + 90 = 810 over all A 960 + B 315 + EPCI 810 = 2 085
    → 0,388489. After both services the EPCI also employs A's 640 + 200 and B's 230 + 45 (« y compris les
    fonctionnaires et agents transférés ») → 1 925 / 2 085 = 0,923261. Never used by the DGF (pris_en_compte_dgf
    False). Before loi n° 2014-58 (29 January 2014): no coefficient."""
    s = schema()
    assert round(s.coefficient_avant.coefficient, 6) == round(810 / 2085, 6) == 0.388489
    assert (s.coefficient_apres.numerateur, s.coefficient_apres.denominateur) == (1925, 2085)
    assert round(s.coefficient_apres.coefficient, 6) == 0.923261 and not s.coefficient_apres.pris_en_compte_dgf
    c = coefficient_mutualisation(FS, "EPCI", 2015, fonctions=["finances"])
    assert (c.numerateur, c.denominateur) == (360, 910)
    with pytest.raises(KeyError):
        coefficient_mutualisation(FS, "EPCI", "2014-01-28")
    with pytest.raises(ValueError, match="transfert"):
        coefficient_mutualisation(FS, "EPCI", 2015, transferes={"B": 400.0})
    assert schema(date="2013-06-01").coefficient_avant is None


def test_validations_du_schema():
    """A function pooled twice for one commune, a missing function, a membership without commune, an unknown key, a
    date before the RCT (L5211-4-2 created 16 December 2010) are refused."""
    double = ServiceCommunSpec("fin2", ("finances",), ("A",), 2016)
    with pytest.raises(ValueError, match="déjà mise en commun"):
        schema((FIN_RH, double))
    with pytest.raises(ValueError, match="absente"):
        schema((ServiceCommunSpec("x", ("juridique et commande publique",), ("A",), 2016),))
    with pytest.raises(ValueError, match="membres"):
        schema((ServiceCommunSpec("x", ("communication",), (), 2016),))
    with pytest.raises(ValueError, match="clé"):
        schema((ServiceCommunSpec("x", ("communication",), ("A",), 2016, cle="surface"),))
    with pytest.raises(KeyError):
        schema((INFO,), date="2009-06-01")
    usage = ServiceCommunSpec("com", ("communication",), ("A", "B"), 2016, cle="usage",
                              usage={"A": 2.0, "B": 1.0, "EPCI": 1.0})
    r = schema((usage,)).repartition.set_index("entite")["part"]
    assert r.round(6).to_dict() == {"A": 0.5, "B": 0.25, "EPCI": 0.25}


def test_calendrier_du_schema():
    """L5211-39-1 « dans l'année qui suit chaque renouvellement général » (renewal 30 March 2014): twelve months →
    30 March 2015, the Government's calendar-year reading → 31 December 2015; after loi NOTRe (in force 9 August
    2015) transmission by 1 October 2015 and approval before 31 December 2015; three months for the councils'
    opinion. Schéma no longer compulsory from loi n° 2019-1461 (not verified)."""
    assert echeances_schema("2014-03-30", "2014-06-01", lecture="douze_mois").approbation == dt.date(2015, 3, 30)
    e = echeances_schema("2014-03-30", "2014-06-01")
    assert (e.approbation, e.transmission_conseils_municipaux, e.avis_conseils_municipaux_mois) == (
        dt.date(2015, 12, 31), None, 3)
    n = echeances_schema("2014-03-30", "2015-09-01", lecture="douze_mois")
    assert (n.transmission_conseils_municipaux, n.approbation) == (dt.date(2015, 10, 1), dt.date(2015, 12, 31))
    assert echeances_schema("2020-06-28", "2020-07-01").obligatoire is False


def test_parametres_du_pacte_et_de_la_mutualisation_lus_et_references():
    """Every new parameter has a legal reference; the FPIC limits are dated (20 % then 30 %)."""
    p = lire_parametres()
    noms = p.noms("fpic") + p.noms("attributions_compensation") + p.noms("dotation_solidarite_communautaire") + \
        p.noms("schema_mutualisation") + p.noms("coefficient_mutualisation") + p.noms("fiscalite_directe")
    assert len(noms) == 18
    assert all(v.reference for n in noms for v in p.parametre(n).valeurs)
    assert (p("fpic.derogatoire.ecart_maximal_communes", 2014), p("fpic.derogatoire.ecart_maximal_communes", 2015)) == (
        0.2, 0.3)
