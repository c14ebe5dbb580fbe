"""Scenario engine: worked examples on tiny hand-built accounts, shipped scenarios, refusal of bad files.

The hand-built bloc (every commune identical unless stated, growth 0 so that numbers stay hand-computable):
- each commune (2013): prod 1 000, impo1 400, dgf 200, AC 10, DSC 2, caf 150, fin 50, perso 300, dette 1 000,
  remb 100, equip 300, subr 30 + fctva 30 (= 20 % of equipment), pop 1 000;
- the agglomeration (2013): pftot 3 000, iltot 1 000, dgftot 500, revtot −264 (= 22 × (10 + 2)), caftot 400,
  cfitot 100, perstot 800, entot 2 000, edettot 200, detot 500, subvitot + fattot 100, mpoid 100 000.
"""
from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.scenarios import (BLOC, DonneesReference, charger_donnees, charger_scenario, comparer, projeter,
                                   scenarios_livres)
from orleans_gov.scenarios.schema import DEFAUT_HYPOTHESES, domaines_competences, lire_scenario
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO

ORLEANS, BOIGNY, FLEURY = "45234", "45034", "45147"
VOIRIE = "Voirie (totalité) et aires de stationnement"


# ---------------------------------------------------------------------------------------------------------
# tiny data
# ---------------------------------------------------------------------------------------------------------

def donnees_mini(fonction8: dict[str, list[float]] | None = None, fonction0: dict[str, float] | None = None
                 ) -> DonneesReference:
    fc = pd.DataFrame([{"code_insee": c, "an": 2013, "pop1": 1000.0, "prod": 1000.0, "impo1": 400.0, "dgf": 200.0,
                        "perso": 300.0, "fin": 50.0, "caf": 150.0, "dette": 1000.0, "remb": 100.0, "equip": 300.0,
                        "subr": 30.0, "fctva": 30.0, "bth": 1500.0, "provenance": "exemple"} for c in CODES_INSEE])
    fa = pd.DataFrame([{"siren": SIREN_AGGLO, "an": 2013, "mpoid": 100000.0, "pftot": 3000.0, "iltot": 1000.0,
                        "dgftot": 500.0, "revtot": -264.0, "perstot": 800.0, "cfitot": 100.0, "caftot": 400.0,
                        "entot": 2000.0, "edettot": 200.0, "detot": 500.0, "subvitot": 50.0, "fattot": 50.0,
                        "provenance": "exemple"}])
    fl = pd.DataFrame([{"code_insee": c, "an": 2013, "attribution_compensation": 10.0, "dsc": 2.0,
                        "provenance": "exemple"} for c in CODES_INSEE])
    fonction8 = fonction8 or {}
    fonction0 = fonction0 or {}
    lignes = []
    for e in ENTITES:
        for i, an in enumerate((2011, 2012, 2013)):
            f8 = fonction8.get(e, [100.0, 100.0, 100.0])[i]
            lignes += [
                {"entite": e, "an": an, "fonction": "8", "section": "fonctionnement", "montant": f8},
                {"entite": e, "an": an, "fonction": "8", "section": "investissement", "montant": 40.0},
                {"entite": e, "an": an, "fonction": "0", "section": "fonctionnement",
                 "montant": fonction0.get(e, 100.0)},
                {"entite": e, "an": an, "fonction": "0", "section": "investissement", "montant": 10.0},
            ]
    df = pd.DataFrame(lignes).assign(provenance="exemple")
    return DonneesReference(fc, fa, fl, df)


def hyp_zero(**maj) -> dict:
    """Hypotheses with every growth at 0, new loans at 4 % over 10 years."""
    h = copy.deepcopy(DEFAUT_HYPOTHESES)
    for niv in ("communes", "agglomeration"):
        h["croissance"][niv] = {f: 0.0 for f in h["croissance"][niv]}
    h["emprunts"] = {"taux_interet": 0.04, "duree_annees": 10}
    h.update(maj)
    return h


# a small DGF point (2 €/hab), the other dotation parameters explicit: CIF moyen 0,33, 2 years of lag, ½ DSC
PARAMETRES_MINI = {"dotation_intercommunalite.valeur_point_eur_hab": 2.0,
                   "dotation_intercommunalite.cif_moyen_categorie": 0.33,
                   "dotation_intercommunalite.decalage_annees": 2, "dotation_intercommunalite.part_dsc_cif": 0.5,
                   # no CRFP in the mechanics tests (its own hand-computed test sets the rates)
                   "crfp.taux_indicatif_bloc": 0.0, "crfp.taux_indicatif_epci": 0.0}


def scen(actions: list | None = None, **hyp) -> object:
    brut = {"nom": "test", "description": "test", "annee_reference": 2013, "horizon": {"debut": 2014, "fin": 2020},
            "hypotheses": hyp_zero(**hyp), "parametres": dict(PARAMETRES_MINI), "actions": actions or []}
    return lire_scenario(brut, fichier="test.yaml", domaines=domaines_competences())


def val(res, entite: str, indicateur: str, annee: int) -> float:
    L = res.long
    s = L[(L.entite == entite) & (L.indicateur == indicateur) & (L.annee == annee)]["valeur"]
    assert len(s) == 1, (entite, indicateur, annee)
    return float(s.iloc[0])


def transfert(communes, date="2016-01-01", n=3, recettes=0.1, part=0.5, equipement=None, part_perso=0.4,
              transfert_investissement=False) -> dict:
    return {"type": "transfert", "competence": VOIRIE, "date": date, "communes": communes, "part_fonction": part,
            "clect": {"annees_moyenne": n, "recettes_liees_pct": recettes,
                      "equipement": equipement or {"methode": "aucun"}},
            "personnel": {"part_personnel": part_perso}, "transfert_investissement": transfert_investissement}


# ---------------------------------------------------------------------------------------------------------
# baseline mechanics, by hand
# ---------------------------------------------------------------------------------------------------------

def test_trajectoire_dette_et_epargne_a_la_main():
    res = projeter(scen(), donnees_mini())
    c = BOIGNY
    # 2014: RRF 1 000 ; DRF hors intérêts = prod − caf − fin = 1 000 − 150 − 50 = 800 ; intérêts = 5 % (50/1 000)
    # × 1 000 = 50 ; épargne brute = 1 000 − 800 − 50 = 150 ; remboursement 100 → épargne nette 50 ;
    # emprunt = 300 − 60 − 50 = 190 ; encours = 1 000 − 100 + 190 = 1 090
    assert val(res, c, "epargne_gestion", 2014) == pytest.approx(200.0)
    assert val(res, c, "interets", 2014) == pytest.approx(50.0)
    assert val(res, c, "epargne_brute", 2014) == pytest.approx(150.0)
    assert val(res, c, "epargne_nette", 2014) == pytest.approx(50.0)
    assert val(res, c, "emprunt", 2014) == pytest.approx(190.0)
    assert val(res, c, "encours_dette", 2014) == pytest.approx(1090.0)
    # 2015: intérêts = 5 % × 900 + 4 % × 190 = 45 + 7,6 = 52,6 ; EB = 200 − 52,6 = 147,4 ;
    # remboursement = 100 + 190 / 10 = 119 ; EN = 28,4 ; emprunt = 240 − 28,4 = 211,6 ;
    # encours = 800 + (190 − 19) + 211,6 = 1 182,6 ; capacité = 1 182,6 / 147,4
    assert val(res, c, "interets", 2015) == pytest.approx(52.6)
    assert val(res, c, "epargne_brute", 2015) == pytest.approx(147.4)
    assert val(res, c, "remboursement_dette", 2015) == pytest.approx(119.0)
    assert val(res, c, "emprunt", 2015) == pytest.approx(211.6)
    assert val(res, c, "encours_dette", 2015) == pytest.approx(1182.6)
    assert val(res, c, "capacite_desendettement", 2015) == pytest.approx(1182.6 / 147.4)
    assert val(res, c, "taux_epargne_brute", 2015) == pytest.approx(147.4 / 1000 * 100)   # percent
    # reference year = the DGFiP accounts
    assert val(res, c, "epargne_brute", 2013) == pytest.approx(150.0)
    assert val(res, c, "encours_dette", 2013) == pytest.approx(1000.0)
    # the agglomeration's AC is the total paid (negative), the bloc's flows cancel
    assert val(res, SIREN_AGGLO, "attribution_compensation", 2014) == pytest.approx(-220.0)
    assert val(res, BLOC, "recettes_reelles_fonctionnement", 2014) == pytest.approx(22 * 1000 + 3000)


def test_capacite_desendettement_nan_si_epargne_brute_negative():
    d = donnees_mini()
    d.finances_communes.loc[d.finances_communes.code_insee == BOIGNY, "caf"] = -20.0
    # « constater »: the breach is left as it is (the default lever would restore the épargne, see below)
    res = projeter(scen(equilibre={"levier": "constater"}), d)
    assert val(res, BOIGNY, "epargne_brute", 2014) < 0
    assert np.isnan(val(res, BOIGNY, "capacite_desendettement", 2014))


def _boigny_en_deficit():
    d = donnees_mini()
    d.finances_communes.loc[d.finances_communes.code_insee == BOIGNY, "caf"] = -20.0
    return d


def test_equilibre_reel_levier_taux_par_defaut_a_la_main():
    """Art. L.1612-4 CGCT: the capital repaid must be covered by own resources, never by a loan.

    Boigny with caf = −20: DRF hors intérêts = 1 000 + 20 − 50 = 970. 2014: intérêts 5 % × 1 000 = 50, épargne
    brute = 1 000 − 970 − 50 = −20 < remboursement 100 → écart 120. Default lever « taux »: impôts 400 → 520
    (+30 %), épargne brute 100, épargne nette 0, emprunt = 300 − 60 − 0 = 240 (equipment only), encours
    900 + 240 = 1 140. 2015: impôts stay at 520 (rate kept); intérêts = 5 % × 900 + 4 % × 240 = 54,6; épargne brute
    before the new rise = 1 120 − 970 − 54,6 = 95,4; remboursement = 100 + 240 / 10 = 124 → écart 28,6; lever of
    the year = 120 + 28,6 = 148,6; emprunt = 300 − 60 − 0 = 240.
    """
    res = projeter(scen(), _boigny_en_deficit())
    c = BOIGNY
    assert val(res, c, "ecart_equilibre", 2013) == pytest.approx(120.0)      # observed: −20 against 100
    assert val(res, c, "equilibre_reel", 2013) == 0
    assert val(res, c, "ecart_equilibre", 2014) == pytest.approx(120.0)
    assert val(res, c, "levier_equilibre", 2014) == pytest.approx(120.0)
    assert val(res, c, "fiscalite", 2014) == pytest.approx(520.0)
    assert val(res, c, "epargne_brute", 2014) == pytest.approx(100.0)
    assert val(res, c, "epargne_nette", 2014) == pytest.approx(0.0, abs=1e-9)
    assert val(res, c, "equilibre_reel", 2014) == 1
    assert val(res, c, "emprunt", 2014) == pytest.approx(240.0)
    assert val(res, c, "encours_dette", 2014) == pytest.approx(1140.0)
    assert val(res, c, "interets", 2015) == pytest.approx(54.6)
    assert val(res, c, "ecart_equilibre", 2015) == pytest.approx(28.6)
    assert val(res, c, "levier_equilibre", 2015) == pytest.approx(148.6)
    assert val(res, c, "fiscalite", 2015) == pytest.approx(548.6)
    assert val(res, c, "emprunt", 2015) == pytest.approx(240.0)
    # a commune in balance is untouched
    assert val(res, FLEURY, "ecart_equilibre", 2014) == 0
    assert val(res, FLEURY, "levier_equilibre", 2014) == 0
    assert val(res, FLEURY, "equilibre_reel", 2014) == 1


def test_equilibre_reel_autres_leviers_a_la_main():
    """Same Boigny (écart 120 in 2014), art. L.1612-4 CGCT, the three other levers."""
    c = BOIGNY
    # « depenses_fonctionnement »: autres charges 970 − 300 = 670 → 550, épargne nette 0, emprunt 240
    r = projeter(scen(equilibre={"levier": "depenses_fonctionnement"}), _boigny_en_deficit())
    assert val(r, c, "autres_charges", 2014) == pytest.approx(550.0)
    assert val(r, c, "levier_equilibre", 2014) == pytest.approx(120.0)
    assert val(r, c, "fiscalite", 2014) == pytest.approx(400.0)
    assert val(r, c, "emprunt", 2014) == pytest.approx(240.0)
    assert val(r, c, "equilibre_reel", 2014) == 1
    # « constater »: épargne nette −120 stays, reported; the loan funds the equipment only (240, not 360):
    # the fonds de roulement pays the deficit: variation = 240 − (300 − 60 + 120) = −120
    r = projeter(scen(equilibre={"levier": "constater"}), _boigny_en_deficit())
    assert val(r, c, "epargne_nette", 2014) == pytest.approx(-120.0)
    assert val(r, c, "equilibre_reel", 2014) == 0
    assert val(r, c, "ecart_equilibre", 2014) == pytest.approx(120.0)
    assert val(r, c, "levier_equilibre", 2014) == 0
    assert val(r, c, "emprunt", 2014) == pytest.approx(240.0)
    assert val(r, c, "variation_fonds_roulement", 2014) == pytest.approx(-120.0)
    # « investissement »: no own resources left (épargne nette < 0) → no loan; the programme is cut to what the
    # year's FCTVA (30, on the 2012 spending, fixed) and the subsidies (10 % of what is done) fund:
    # x = 30 / (1 − 0,1) = 33,33, cut 300 − 33,33 = 266,67; the breach of the year stays
    r = projeter(scen(equilibre={"levier": "investissement"}), _boigny_en_deficit())
    assert val(r, c, "depenses_equipement", 2014) == pytest.approx(30 / 0.9)
    assert val(r, c, "levier_equilibre", 2014) == pytest.approx(300 - 30 / 0.9)
    assert val(r, c, "emprunt", 2014) == pytest.approx(0.0)
    assert val(r, c, "encours_dette", 2014) == pytest.approx(900.0)
    assert val(r, c, "equilibre_reel", 2014) == 0


def test_fctva_recu_n_plus_2_a_la_main():
    """Art. L.1615-6 CGCT: the FCTVA is received « la pénultième année » after the spending (communes, droit
    commun), the same year for a communauté d'agglomération, at the rate in force on the date of the spending.

    Boigny 2013: FCTVA 30 on equipment 300 (2011 equipment unknown in the tiny table → that of 2013), rate of 2011
    15,482 % → part éligible = 30 / (300 × 0,15482) = 0,64591. Programme 600 in 2014 (300 otherwise):
    FCTVA 2014 = 30 (2012 spending), 2015 = 30 (2013), 2016 = 0,64591 × 15,761 % × 600 = 61,081 (2014 spending,
    15,761 % from 1/1/2014), 2017 = 0,64591 × 16,404 % × 300 = 31,787. Agglomeration (N): part = 50 / (500 ×
    0,15482); 2014 = part × 15,761 % × 500 = 50,901.
    """
    res = projeter(scen(investissement={"croissance": {"communes": 0.0, "agglomeration": 0.0},
                                        "programme": {BOIGNY: {2014: 600.0}},
                                        "recettes_pct": {"communes": "reference", "agglomeration": "reference"}}),
                   donnees_mini())
    c = BOIGNY
    assert val(res, c, "fctva", 2013) == pytest.approx(30.0)
    assert val(res, c, "fctva", 2014) == pytest.approx(30.0)
    assert val(res, c, "fctva", 2015) == pytest.approx(30.0)
    assert val(res, c, "fctva", 2016) == pytest.approx(61.081, abs=1e-3)
    assert val(res, c, "fctva", 2017) == pytest.approx(31.787, abs=1e-3)
    # receipts of 2014: subsidies 10 % × 600 + FCTVA 30
    assert val(res, c, "recettes_investissement", 2014) == pytest.approx(90.0)
    assert val(res, SIREN_AGGLO, "fctva", 2014) == pytest.approx(50.901, abs=1e-3)


def test_clect_inventaire_recettes_sur_la_seule_part_investissement():
    """Art. 1609 nonies C IV CGI: annualised cost = (cost + charges financières) / durée + entretien, and the
    « ressources afférentes » (grants, FCTVA) reduce the investment only. Boigny's bridge: cost 1 000, interest
    200, maintenance 30 / year, 20 years → (1 000 + 200) / 20 + 30 = 90; investment part 1 000 / 20 = 50;
    Boigny's grants + FCTVA = (30 + 30) / 300 = 20 % of its equipment → 0,2 × 50 = 10 deducted (not 0,2 × 90 = 18).
    With « investissement_moyen » (40 per year of function 8 × 0,5): 20, no interest nor maintenance (flag 0)."""
    pont = {"methode": "inventaire", "inventaire": [{"commune": BOIGNY, "libelle": "pont", "cout": 1000.0,
                                                      "frais_financiers": 200.0, "entretien_annuel": 30.0,
                                                      "duree_vie": 20}]}
    res = projeter(scen([transfert([BOIGNY], equipement=pont)]), donnees_mini())
    d = res.details["actions[0] transfert"].set_index("entite").loc[BOIGNY]
    assert d["cout_annualise_equipement"] == pytest.approx(90.0)
    assert d["recettes_investissement_deduites"] == pytest.approx(10.0)
    assert d["charges_financieres_incluses"] == 1
    res = projeter(scen([transfert([BOIGNY], equipement={"methode": "investissement_moyen"})]), donnees_mini())
    d = res.details["actions[0] transfert"].set_index("entite").loc[BOIGNY]
    assert d["cout_annualise_equipement"] == pytest.approx(20.0)
    assert d["recettes_investissement_deduites"] == pytest.approx(4.0)
    assert d["charges_financieres_incluses"] == 0


def test_cif_avant_apres_transfert_et_dgf():
    # two communes transfer; Orléans' function-8 costs 300, 330, 360 and Boigny's 30, 30, 33 (2011–2013),
    # part 0,5, CLECT average over 3 years, 10 % related receipts, no equipment:
    # Orléans: (150 + 165 + 180) / 3 = 165 ; receipts 16,5 ; charges 148,5 ; AC 10 − 148,5 = −138,5
    # Boigny:  (15 + 15 + 16,5) / 3 = 15,5 ; receipts 1,55 ; charges 13,95 ; AC 10 − 13,95 = −3,95
    d = donnees_mini({ORLEANS: [300.0, 330.0, 360.0], BOIGNY: [30.0, 30.0, 33.0]})
    res = projeter(scen([transfert([ORLEANS, BOIGNY])]), d)
    det = res.details["actions[0] transfert"].set_index("entite")
    assert det.loc[ORLEANS, "charges_transferees"] == pytest.approx(148.5)
    assert det.loc[BOIGNY, "charges_transferees"] == pytest.approx(13.95)
    assert val(res, ORLEANS, "attribution_compensation", 2015) == pytest.approx(10.0)
    assert val(res, ORLEANS, "attribution_compensation", 2016) == pytest.approx(-138.5)
    assert val(res, BOIGNY, "attribution_compensation", 2016) == pytest.approx(-3.95)
    assert val(res, BOIGNY, "attribution_compensation", 2020) == pytest.approx(-3.95)   # not indexed
    # CIF = (impôts agglo − AC − ½ DSC) / (impôts agglo + impôts communes), impo1 = 400 × 22 = 8 800
    # before: (1 000 − 220 − 22) / 9 800 = 758 / 9 800
    # after:  ΣAC = 20 × 10 − 138,5 − 3,95 = 57,55 → (1 000 − 57,55 − 22) / 9 800 = 920,45 / 9 800
    assert val(res, SIREN_AGGLO, "cif", 2015) == pytest.approx(758 / 9800)
    assert val(res, SIREN_AGGLO, "cif", 2016) == pytest.approx(920.45 / 9800)
    # dotation d'intercommunalité = 100 000 hab × 2 €/hab × CIF(t − 2) / 0,33 / 1 000 (k€)
    di_avant = 100000 * 2 * (758 / 9800) / 0.33 / 1000
    di_apres = 100000 * 2 * (920.45 / 9800) / 0.33 / 1000
    assert val(res, SIREN_AGGLO, "dotation_intercommunalite", 2017) == pytest.approx(di_avant)
    assert val(res, SIREN_AGGLO, "dotation_intercommunalite", 2018) == pytest.approx(di_apres)
    # total DGF = dotation de compensation (500 − DI 2013, held constant) + DI
    assert val(res, SIREN_AGGLO, "dgf", 2018) == pytest.approx(500 - di_avant + di_apres)


def test_neutralite_annee_du_transfert():
    # valuation = actual cost (one-year average of the reference year, transfer the next year, no growth),
    # no equipment, no economies → in 2014 each party's épargne brute is unchanged
    d = donnees_mini({ORLEANS: [300.0, 330.0, 360.0], BOIGNY: [30.0, 30.0, 33.0]})
    avec = projeter(scen([transfert([ORLEANS, BOIGNY], date="2014-01-01", n=1)]), d)
    sans = projeter(scen(), d)
    for e in (ORLEANS, BOIGNY, SIREN_AGGLO):
        assert val(avec, e, "epargne_brute", 2014) == pytest.approx(val(sans, e, "epargne_brute", 2014))
    # but the flows did move: Orléans' spending fell by 180 (0,5 × 360), its AC by 180 − 18 = 162
    assert val(avec, ORLEANS, "depenses_reelles_fonctionnement_hors_interets", 2014) == pytest.approx(800 - 180)
    assert val(avec, ORLEANS, "attribution_compensation", 2014) == pytest.approx(10 - 162)
    # staff moves with it: 40 % of 180 = 72 k€ of personnel = 72 / 45 = 1,6 FTE
    ecart = comparer(avec, sans)
    e = ecart[(ecart.entite == ORLEANS) & (ecart.indicateur == "personnel") & (ecart.annee == 2014)]["ecart"]
    assert float(e.iloc[0]) == pytest.approx(-72.0)


def test_service_commun_finance_par_imputation_sur_ac():
    # Orléans, Fleury and the agglomeration pool a support function: 10 % of function 0 (200, 100, 300)
    # → 20, 10, 30 k€ (total 60), all personnel; key = FTE pooled (∝ cost) → shares 1/3, 1/6, 1/2.
    # 2015: Orléans pays 60 / 3 = 20 on its AC (10 − 20 = −10), Fleury 10 (10 − 10 = 0).
    # From 2017: 0,2 FTE saved × 50 k€ = 10 → service cost 50: Orléans 50/3, Fleury 50/6.
    d = donnees_mini(fonction0={ORLEANS: 200.0, FLEURY: 100.0, SIREN_AGGLO: 300.0})
    action = {"type": "service_commun", "nom": "RH", "date": 2015, "communes": [ORLEANS, FLEURY],
              "part_fonction_0": 0.1, "part_personnel": 1.0, "cle_repartition": "etp", "financement": "imputation_ac",
              "economies": {"etp": 0.2, "a_partir_de": 2017}}
    # « constater »: from 2017 the tiny communes' 10-year loans make the repayment exceed the épargne brute; the
    # default lever (tax rise, art. L.1612-4) would absorb the gain measured here
    avec = projeter(scen([action], cout_moyen_etp_keur=50, equilibre={"levier": "constater"}), d)
    sans = projeter(scen(cout_moyen_etp_keur=50, equilibre={"levier": "constater"}), d)
    assert val(avec, ORLEANS, "attribution_compensation", 2015) == pytest.approx(10 - 20)
    assert val(avec, FLEURY, "attribution_compensation", 2015) == pytest.approx(10 - 10)
    assert val(avec, ORLEANS, "attribution_compensation", 2017) == pytest.approx(10 - 50 / 3)
    # 2015, no economies yet: every party's épargne brute unchanged
    for e in (ORLEANS, FLEURY, SIREN_AGGLO):
        assert val(avec, e, "epargne_brute", 2015) == pytest.approx(val(sans, e, "epargne_brute", 2015))
    # 2017: Orléans saves 20 and pays 16,667 → +3,333 ; Fleury +1,667 ; the agglomeration keeps its half of the
    # economies (+5) and gets the DGF bonus of the 2015 CIF rise (AC imputed 30 → CIF + 30 / 9 800, lag 2 years):
    # 100 000 hab × 2 €/hab × (30 / 9 800) / 0,33 / 1 000
    bonus_dgf = 100000 * 2 * (30 / 9800) / 0.33 / 1000
    for e, gain in ((ORLEANS, 20 - 50 / 3), (FLEURY, 10 - 50 / 6), (SIREN_AGGLO, 5.0 + bonus_dgf)):
        assert val(avec, e, "epargne_brute", 2017) - val(sans, e, "epargne_brute", 2017) == pytest.approx(gain)
    # staff: 20 / 50 = 0,4 FTE leave Orléans; the agglomeration receives 0,4 + 0,2 and loses 0,2 in 2017
    assert val(avec, ORLEANS, "etp", 2015) - val(sans, ORLEANS, "etp", 2015) == pytest.approx(-0.4)
    assert val(avec, SIREN_AGGLO, "etp", 2017) - val(sans, SIREN_AGGLO, "etp", 2017) == pytest.approx(0.4)
    # the imputation raises the CIF: ΣAC 220 − 20 − 10 = 190 → (1 000 − 190 − 22) / 9 800
    assert val(avec, SIREN_AGGLO, "cif", 2015) == pytest.approx(788 / 9800)


def test_pacte_dsc_par_criteres():
    # 1 100 k€ of DSC from 2015, 100 % population: identical communes → 50 each; the agglomeration pays 1 100
    action = {"type": "pacte_financier", "date": 2015,
              "dsc": {"montant_keur": 1100, "criteres": {"population": 1.0}},
              "taux": [{"entites": [SIREN_AGGLO], "annee": 2016, "variation": 0.02}]}
    # « constater »: paying 1 100 of DSC breaks the agglomeration's équilibre réel; the default lever would add
    # its tax rise to the 2 % voted here
    res = projeter(scen([action], equilibre={"levier": "constater"}), donnees_mini())
    assert val(res, BOIGNY, "dsc", 2014) == pytest.approx(2.0)
    assert val(res, BOIGNY, "dsc", 2015) == pytest.approx(50.0)
    assert val(res, SIREN_AGGLO, "dsc", 2015) == pytest.approx(-1100.0)
    assert val(res, SIREN_AGGLO, "fiscalite", 2016) == pytest.approx(1020.0)


def test_reference_comparee_a_elle_meme_ecarts_nuls():
    d = donnees_mini()
    a, b = projeter(scen(), d), projeter(scen(), d)
    ecart = comparer(a, b)
    assert (ecart["ecart"].fillna(0) == 0).all()


# ---------------------------------------------------------------------------------------------------------
# shipped scenarios on the processed data
# ---------------------------------------------------------------------------------------------------------

def test_scenarios_livres_tournent(donnees_construites):
    fichiers = scenarios_livres()
    noms = {f.name for f in fichiers}
    assert {"fil-de-l-eau.yaml", "transfert-voirie.yaml", "service-commun-rh-finances.yaml",
            "pacte-financier.yaml"} <= noms
    donnees = charger_donnees(donnees_construites)
    ref = projeter(charger_scenario(fichiers[0]), donnees)
    assert fichiers[0].name == "fil-de-l-eau.yaml"
    assert (comparer(ref, ref)["ecart"].fillna(0) == 0).all()
    for f in fichiers:
        sc = charger_scenario(f)
        res = projeter(sc, donnees)
        L = res.long
        assert list(L.columns) == ["scenario", "entite", "annee", "indicateur", "valeur"]
        assert set(L.entite) == set(ENTITES) | {BLOC}
        assert {"attribution_compensation", "epargne_brute", "epargne_nette", "encours_dette",
                "capacite_desendettement", "cif"} <= set(L.indicateur)
        assert not L.duplicated(["entite", "annee", "indicateur"]).any()
        assert len(sc.description) > 50
        # the bloc's épargne brute is the sum of the entities'
        eb = L[(L.indicateur == "epargne_brute") & (L.annee == 2020)].set_index("entite")["valeur"]
        assert eb[BLOC] == pytest.approx(eb.drop(BLOC).sum())
        # art. L.1612-4 CGCT: no projected entity-year runs a negative épargne nette (the default lever closes it)
        proj = L[(L.annee > sc.annee_reference) & (L.entite != BLOC)]
        assert (proj[proj.indicateur == "epargne_nette"]["valeur"] >= -1e-6).all()
        assert (proj[proj.indicateur == "equilibre_reel"]["valeur"] == 1).all()
    # without action, a scenario equals the baseline
    voirie = charger_scenario(Path(fichiers[0]).with_name("transfert-voirie.yaml"))
    assert (comparer(projeter(voirie.sans_actions(), donnees), ref)["ecart"].fillna(0).abs() < 1e-9).all()


def test_cli_scenario(donnees_construites, tmp_path, capsys):
    from orleans_gov.cli import main
    code = main(["scenario", str(Path(scenarios_livres()[0]).with_name("transfert-voirie.yaml")), "--sortie",
                 str(tmp_path), "--dossier-donnees", str(donnees_construites)])
    assert code == 0
    df = pd.read_csv(tmp_path / "resultats.csv", dtype={"entite": str})
    # one row per scenario × entité × budget × année × indicateur (budgets annexes of the agglomeration included)
    assert list(df.columns) == ["scenario", "entite", "budget", "annee", "indicateur", "valeur"]
    assert not df.duplicated(["entite", "budget", "annee", "indicateur"]).any()
    assert {"principal", "consolidé", "transports"} <= set(df.budget)
    assert SIREN_AGGLO in set(df.entite) and ORLEANS in set(df.entite)
    sortie = capsys.readouterr().out
    assert "Épargne nette cumulée du bloc" in sortie and "CIF 2020" in sortie


def test_sensibilite(donnees_construites):
    from orleans_gov.scenarios.sensibilite import monte_carlo, tornado
    donnees = charger_donnees(donnees_construites)
    sc = charger_scenario(Path(scenarios_livres()[0]).with_name("transfert-voirie.yaml"))
    t = tornado(sc, donnees)
    assert len(t) == 7 and (t["amplitude"].diff().dropna() <= 0).all()
    # higher personnel growth → lower cumulated épargne nette
    ligne = t.set_index("hypothese").loc["personnel"]
    assert ligne["resultat_haut"] < ligne["resultat_central"] < ligne["resultat_bas"]
    mc1 = monte_carlo(sc, donnees, n_tirages=400, graine=7)
    mc2 = monte_carlo(sc, donnees, n_tirages=400, graine=7)
    pd.testing.assert_frame_equal(mc1.quantiles, mc2.quantiles)     # fixed seed → identical
    q = mc1.quantiles
    assert (q["q05"] <= q["q50"] + 1e-9).all() and (q["q50"] <= q["q95"] + 1e-9).all()
    assert set(q.entite) == set(ENTITES) | {BLOC}


def _monte_carlo_ancien(sc, donnees, indicateur, n_tirages, graine, taille_lot):
    """Copy of the pre-issue-16 single-indicator loop (one full projection per indicator), kept as the reference."""
    import warnings as w
    from orleans_gov.scenarios import sensibilite as sens
    base, eff = sens.preparer(sc, donnees)
    chocs = sens.tirer_chocs(sc, n_tirages, graine)
    noms = tuple(dict.fromkeys((indicateur,) + sens._sorties_mesure("epargne_nette_cumulee")))
    blocs, mesures = [], []
    for debut in range(0, n_tirages, taille_lot):
        s = sens.noyau(sc, base, eff, {k: v[debut:debut + taille_lot] for k, v in chocs.items()}, sorties=noms)
        b = sens.bloc(s)
        extra = b[indicateur][:, None, :] if indicateur in b else np.full((s[indicateur].shape[0], 1,
                                                                           s[indicateur].shape[2]), np.nan)
        blocs.append(np.concatenate([s[indicateur], extra], axis=1))
        mesures.append(sens._mesure(sc, s, "epargne_nette_cumulee", BLOC))
    tout = np.concatenate(blocs, axis=0)
    with np.errstate(all="ignore"), w.catch_warnings():
        w.simplefilter("ignore", RuntimeWarning)
        q = np.nanquantile(tout, [0.05, 0.5, 0.95], axis=0) if np.isnan(tout).any() else \
            np.quantile(tout, [0.05, 0.5, 0.95], axis=0)
    return q, np.concatenate(mesures)


def test_monte_carlo_une_passe_identique_a_deux(donnees_construites):
    """Issue 16: one pass for both indicators gives exactly the numbers of the former one-pass-per-indicator."""
    from orleans_gov.scenarios.sensibilite import monte_carlo_indicateurs
    donnees = charger_donnees(donnees_construites)
    sc = charger_scenario(Path(scenarios_livres()[0]).with_name("transfert-voirie.yaml"))
    inds = ("epargne_nette", "capacite_desendettement")
    nouveau = monte_carlo_indicateurs(sc, donnees, inds, n_tirages=300, graine=11, taille_lot=128)
    for ind in inds:
        q, mesure = _monte_carlo_ancien(sc, donnees, ind, 300, 11, 128)
        qn = nouveau[ind].quantiles
        assert (qn["indicateur"] == ind).all() and nouveau[ind].n_tirages == 300
        for j, col in enumerate(("q05", "q50", "q95")):
            np.testing.assert_array_equal(qn[col].to_numpy(), q[j].reshape(-1))
        np.testing.assert_array_equal(nouveau[ind].mesure, mesure)
    assert not np.array_equal(nouveau[inds[0]].quantiles["q50"], nouveau[inds[1]].quantiles["q50"])


# ---------------------------------------------------------------------------------------------------------
# bad scenario files
# ---------------------------------------------------------------------------------------------------------

VALIDE = {
    "nom": "x", "description": "x", "annee_reference": 2013, "horizon": {"debut": 2014, "fin": 2020},
    "actions": [transfert(["45234", "45034"])],
}


def _ecrire(tmp_path: Path, contenu: dict) -> Path:
    p = tmp_path / "mauvais.yaml"
    p.write_text(yaml.safe_dump(contenu, allow_unicode=True), encoding="utf-8")
    return p


@pytest.mark.parametrize("modif, cle, raison", [
    (lambda d: d["actions"][0].update(bidule=1), "actions[0].bidule", "clé inconnue"),
    (lambda d: d.update(hypotheses={"emprunts": {"taux": 0.02}}), "hypotheses.emprunts.taux", "clé inconnue"),
    (lambda d: d["actions"][0].update(communes=["45234", "45034", "Paris", "99999"]), "actions[0].communes[2]",
     "commune inconnue"),
    (lambda d: d["actions"][0].update(competence="Danse contemporaine"), "actions[0].competence",
     "domaine de compétence inconnu"),
    (lambda d: d["actions"][0].update(date="2025-01-01"), "actions[0].date", "hors de l'horizon"),
    (lambda d: d["actions"][0].update(date=2013), "actions[0].date", "antérieure ou égale à l'année de référence"),
    (lambda d: d["actions"].append({"type": "pacte_financier", "date": 2015,
                                    "dsc": {"montant_keur": -5, "criteres": {"population": 1}}}),
     "actions[1].dsc.montant_keur", "montant négatif"),
    (lambda d: d["actions"][0]["clect"].update(recettes_liees_pct=-0.1), "actions[0].clect.recettes_liees_pct",
     "montant négatif"),
    (lambda d: d["actions"][0].update(fonction_m14="3"), "actions[0].fonction_m14", "incohérente"),
    (lambda d: d["actions"].append({"type": "service_commun", "nom": "x", "date": 2015, "communes": ["45234"],
                                    "fonctions_support": ["paie"], "part_personnel": 0.8, "cle_repartition": "etp",
                                    "financement": "imputation_ac", "economies": {"etp": 0, "a_partir_de": 2015}}),
     "actions[1].fonctions_support[0]", "fonction support inconnue"),
])
def test_fichiers_invalides_refuses(tmp_path, modif, cle, raison):
    contenu = copy.deepcopy(VALIDE)
    modif(contenu)
    p = _ecrire(tmp_path, contenu)
    with pytest.raises(ErreurScenario) as exc:
        charger_scenario(p)
    message = str(exc.value)
    assert str(p) in message
    assert f"« {cle} »" in message
    assert raison in message


def test_fichier_valide_et_heritage(tmp_path):
    p = _ecrire(tmp_path, VALIDE)
    sc = charger_scenario(p)
    assert sc.actions[0].communes == ("45234", "45034") and sc.actions[0].fonction_m14 == "8"
    # inheritance of the baseline's assumptions with ``base``
    (tmp_path / "fille.yaml").write_text("nom: f\ndescription: d\nbase: mauvais.yaml\n"
                                         "hypotheses: {emprunts: {taux_interet: 0.05}}\n", encoding="utf-8")
    f = charger_scenario(tmp_path / "fille.yaml")
    assert f.annee_reference == 2013 and f.fin == 2020
    assert f.hypotheses.emprunts.taux_interet == 0.05 and f.hypotheses.emprunts.duree_annees == 20


def test_service_commun_cle_population_et_remboursement():
    # key « population »: the agglomeration keeps its own share of the pooled cost (30 / 60 = 1/2), the communes
    # share the rest by population (1 000 each → 1/4 each): Orléans pays 60 / 4 = 15 in 2015, by reimbursement
    # (its DRF rises by 15 and falls by its own 20: épargne brute + 5; AC unchanged; the CIF does not move)
    d = donnees_mini(fonction0={ORLEANS: 200.0, FLEURY: 100.0, SIREN_AGGLO: 300.0})
    action = {"type": "service_commun", "nom": "RH", "date": 2015, "communes": [ORLEANS, FLEURY],
              "part_fonction_0": 0.1, "part_personnel": 1.0, "cle_repartition": "population",
              "financement": "remboursement", "economies": {"etp": 0, "a_partir_de": 2017}}
    # « constater »: from 2017 the tiny communes' 10-year loans make the repayment exceed the épargne brute; the
    # default lever (tax rise, art. L.1612-4) would absorb the gain measured here
    avec = projeter(scen([action], cout_moyen_etp_keur=50, equilibre={"levier": "constater"}), d)
    sans = projeter(scen(cout_moyen_etp_keur=50, equilibre={"levier": "constater"}), d)
    det = avec.details["actions[0] service commun"].set_index("entite")
    assert det.loc[ORLEANS, "contribution_premiere_annee"] == pytest.approx(15.0)
    assert val(avec, ORLEANS, "attribution_compensation", 2015) == pytest.approx(10.0)
    assert val(avec, ORLEANS, "epargne_brute", 2015) - val(sans, ORLEANS, "epargne_brute", 2015) == \
        pytest.approx(20 - 15)
    assert val(avec, FLEURY, "epargne_brute", 2015) - val(sans, FLEURY, "epargne_brute", 2015) == \
        pytest.approx(10 - 15)
    assert val(avec, SIREN_AGGLO, "cif", 2015) == pytest.approx(758 / 9800)


def test_horizon_et_annee_de_reference_remplaces(donnees_construites):
    f = Path(scenarios_livres()[0]).with_name("transfert-voirie.yaml")
    sc = charger_scenario(f, horizon=[2014, 2018])
    assert sc.fin == 2018 and sc.annees == [2014, 2015, 2016, 2017, 2018]
    res = projeter(sc, charger_donnees(donnees_construites))
    assert res.long.annee.max() == 2018
    with pytest.raises(ErreurScenario, match="hors de l'horizon"):
        charger_scenario(f, horizon=[2014, 2015])          # the transfer (2016) no longer fits


def test_service_commun_depuis_fonctions_support():
    # collection table: finances + RH of Orléans 2 + 1 FTE costing 80 + 40 = 120 k€ of personnel, Fleury 1 FTE /
    # 40 k€, the agglomeration 3 FTE / 120 k€ ; personnel = 80 % of the full cost → full costs 150, 50, 150.
    # Key FTE 3 / 1 / 3 (total 7): Orléans pays 350 × 3/7 = 150 on its AC in 2015, Fleury 350 / 7 = 50.
    d = donnees_mini()
    d.fonctions_support = pd.DataFrame([
        {"entite": ORLEANS, "an": 2013, "fonction_support": "finances", "etp": 2.0, "cout": 80.0},
        {"entite": ORLEANS, "an": 2013, "fonction_support": "ressources humaines", "etp": 1.0, "cout": 40.0},
        {"entite": FLEURY, "an": 2013, "fonction_support": "finances", "etp": 0.5, "cout": 20.0},
        {"entite": FLEURY, "an": 2013, "fonction_support": "ressources humaines", "etp": 0.5, "cout": 20.0},
        {"entite": SIREN_AGGLO, "an": 2013, "fonction_support": "finances", "etp": 2.0, "cout": 80.0},
        {"entite": SIREN_AGGLO, "an": 2013, "fonction_support": "ressources humaines", "etp": 1.0, "cout": 40.0},
    ])
    action = {"type": "service_commun", "nom": "RH-finances", "date": 2015, "communes": [ORLEANS, FLEURY],
              "fonctions_support": ["finances", "ressources humaines"], "part_personnel": 0.8,
              "cle_repartition": "etp", "financement": "imputation_ac", "economies": {"etp": 0, "a_partir_de": 2016}}
    avec = projeter(scen([action]), d)
    sans = projeter(scen(), d)
    assert val(avec, ORLEANS, "attribution_compensation", 2015) == pytest.approx(10 - 350 * 3 / 7)
    assert val(avec, FLEURY, "attribution_compensation", 2015) == pytest.approx(10 - 350 / 7)
    # the FTE of the table move: Orléans −3, Fleury −1, the agglomeration +4
    assert val(avec, ORLEANS, "etp", 2015) - val(sans, ORLEANS, "etp", 2015) == pytest.approx(-3.0)
    assert val(avec, SIREN_AGGLO, "etp", 2015) - val(sans, SIREN_AGGLO, "etp", 2015) == pytest.approx(4.0)
    # Orléans' personnel falls by its 120 k€, its other charges by 30
    assert val(avec, ORLEANS, "personnel", 2015) - val(sans, ORLEANS, "personnel", 2015) == pytest.approx(-120.0)
    # without the collection table the scenario is refused with the table named
    d.fonctions_support = None
    with pytest.raises(Exception, match="fonctions_support"):
        projeter(scen([action]), d)


def test_action_qui_retire_plus_que_le_budget_refusee():
    # transferring 100 % of a function-8 cost of 5 000 k€ with 100 % personnel from a commune whose whole
    # personnel is 300 k€ → negative personnel: refused, naming the commune
    d = donnees_mini({BOIGNY: [5000.0, 5000.0, 5000.0]})
    with pytest.raises(ErreurScenario, match="Boigny-sur-Bionne"):
        projeter(scen([transfert([BOIGNY], part=1.0, part_perso=1.0)]), d)


# ---------------------------------------------------------------------------------------------------------
# dotation d'intercommunalité, garanties, CRFP (docs/juridique/dgf-exemples.md, example (a))
# ---------------------------------------------------------------------------------------------------------

def test_dotation_intercommunalite_et_garanties_exemple_a():
    """Art. L.5211-30 I (30 % dotation de base, 70 % péréquation × PF moyen / PF) and L.5211-33 I (95 % floor,
    120 % cap on the previous year's dotation before CRFP). Toy CA of docs/juridique/dgf-exemples.md (a):
    100 000 hab, montant moyen 45,40 €/hab, CIF 0,30, CIF moyen 0,33, PF moyen / PF = 400 / 500 = 0,8:
    spontaneous = 45,40 × 0,30 / 0,33 × (0,3 + 0,7 × 0,8) = 41,272727 × 0,86 = 35,494545 €/hab (3 549,45 k€);
    previous year 40 €/hab → floor 0,95 × 40 = 38 €/hab (3 800 k€). Variant CIF 0,55: 65,073333 → cap 48."""
    from orleans_gov.scenarios.dotations import dotation_intercommunalite, garanties_intercommunalite
    s = dotation_intercommunalite(100000, 45.40, 0.30, 0.33, 0.3, 0.7, 0.8)
    assert s == pytest.approx(3549.4545, abs=1e-3)
    hab = np.array([[40.0, s * 1000 / 100000]])
    un = np.array([0.95, 0.95]), np.array([1.2, 1.2]), np.array([0.5, 0.5])
    g = garanties_intercommunalite(hab, un[0], un[1], np.array([[0.30, 0.30]]), un[2])
    assert g[0, 1] == pytest.approx(38.0)
    s55 = dotation_intercommunalite(1000, 45.40, 0.55, 0.33, 0.3, 0.7, 0.8)
    assert s55 == pytest.approx(65.073333, abs=1e-5)
    g = garanties_intercommunalite(np.array([[40.0, s55]]), un[0], un[1], np.array([[0.55, 0.55]]), un[2])
    assert g[0, 1] == pytest.approx(48.0)
    # CIF above 0,5 (L.5211-33 II 1°): never below the previous year (here 39 → 40, not the 95 % floor)
    g = garanties_intercommunalite(np.array([[40.0, 39.0]]), un[0], un[1], np.array([[0.6, 0.6]]), un[2])
    assert g[0, 1] == pytest.approx(40.0)


def test_crfp_deduite_apres_la_dotation_a_la_main():
    """CRFP (art. L.5211-28 for the EPCI, L.2334-7 III for the communes): the dotation is computed first, then the
    tranche of each year = taux × RRF N−2 is deducted, the tranches cumulated.

    Toy CA: CIF (1 000 − 220 − 22) / 9 800 = 0,077347, 100 000 hab, 2 €/hab → dotation d'intercommunalité
    100 000 × 2 × 0,077347 / 0,33 / 1 000 = 46,877 k€ every year (before CRFP, unchanged by it); dotation de
    compensation 500 − 46,877 = 453,123. EPCI rate 1 %: 2014 tranche 1 % × RRF 2012 (unknown in the tiny table →
    that of 2013, 3 000) = 30 → DGF 500 − 30 = 470; 2015: + 1 % × 3 000 = 60 → 440; 2016: + 1 % × RRF 2014
    (3 000 − 30 = 2 970) = 29,7 → 89,7. Commune (2 %, RRF 1 000): 20, 40, 40 + 2 % × 980 = 59,6.
    """
    sc = lire_scenario({"nom": "t", "description": "t", "annee_reference": 2013,
                        "horizon": {"debut": 2014, "fin": 2020}, "hypotheses": hyp_zero(),
                        "parametres": {**PARAMETRES_MINI, "crfp.taux_indicatif_epci": 0.01,
                                       "crfp.taux_indicatif_bloc": 0.02}},
                       fichier="t.yaml", domaines=domaines_competences())
    res = projeter(sc, donnees_mini())
    a = SIREN_AGGLO
    di = 100000 * 2 * (758 / 9800) / 0.33 / 1000
    for an in (2014, 2015, 2016):
        assert val(res, a, "dotation_intercommunalite", an) == pytest.approx(di)
    assert val(res, a, "contribution_redressement", 2014) == pytest.approx(30.0)
    assert val(res, a, "dgf", 2014) == pytest.approx(470.0)
    assert val(res, a, "contribution_redressement", 2015) == pytest.approx(60.0)
    assert val(res, a, "dgf", 2015) == pytest.approx(440.0)
    assert val(res, a, "contribution_redressement", 2016) == pytest.approx(89.7)
    assert val(res, BOIGNY, "contribution_redressement", 2016) == pytest.approx(59.6)
    assert val(res, BOIGNY, "dotation_forfaitaire", 2016) == pytest.approx(200 - 59.6)
    assert val(res, a, "contribution_redressement", 2013) == 0


# ---------------------------------------------------------------------------------------------------------
# budgets annexes (scenarios.annexes)
# ---------------------------------------------------------------------------------------------------------

def _annexe_transports() -> pd.DataFrame:
    return pd.DataFrame([{"entite": SIREN_AGGLO, "an": 2013, "budget": "transports", "recettes_fonctionnement": 100.0,
                          "depenses_fonctionnement": 70.0, "versement_transport": 40.0, "subvention_equilibre": 20.0,
                          "epargne_brute": 30.0, "depenses_equipement": 0.0, "emprunt": 0.0,
                          "remboursement_capital": 10.0, "encours_dette": 100.0, "origine": "exemple",
                          "provenance": "exemple"}])


def test_budget_annexe_subvention_consolidee_une_fois():
    """Transport annex (2013): recettes 100 (of which versement transport 40, subvention d'équilibre of the budget
    principal 20), dépenses 70, remboursement 10, encours 100, no equipment; growth 0.
    2014: recettes (100 − 40 − 20) + 40 + 20 = 100, dépenses 70, épargne brute 30, remboursement min(100, 10) =
    10, épargne nette 20, emprunt 0, encours 90; 2015: encours 80.
    Budget principal = consolidé − annexe, the subvention added back to its receipts and spending: RRF principal
    2014 = RRF consolidé − 100 + 20; consolidating principal + annexe removes the 20 once (art. L.2224-2 CGCT:
    the subvention is a receipt of the annex and a spending of the principal)."""
    from orleans_gov.scenarios.annexes import consolider
    d = donnees_mini()
    d.budgets_annexes = _annexe_transports()
    res = projeter(scen(), d)
    t = res.tableau()
    assert list(t.columns) == ["scenario", "entite", "budget", "annee", "indicateur", "valeur"]
    assert not t.duplicated(["entite", "budget", "annee", "indicateur"]).any()

    def v(budget, ind, an):
        s = t[(t.entite == SIREN_AGGLO) & (t.budget == budget) & (t.indicateur == ind) & (t.annee == an)]["valeur"]
        assert len(s) == 1, (budget, ind, an)
        return float(s.iloc[0])
    assert v("transports", "recettes_reelles_fonctionnement", 2014) == pytest.approx(100.0)
    assert v("transports", "epargne_brute", 2014) == pytest.approx(30.0)
    assert v("transports", "epargne_nette", 2014) == pytest.approx(20.0)
    assert v("transports", "emprunt", 2014) == pytest.approx(0.0)
    assert v("transports", "encours_dette", 2014) == pytest.approx(90.0)
    assert v("transports", "encours_dette", 2015) == pytest.approx(80.0)
    assert v("transports", "subvention_equilibre", 2015) == pytest.approx(20.0)
    rrf_c = v("consolidé", "recettes_reelles_fonctionnement", 2014)
    assert v("principal", "recettes_reelles_fonctionnement", 2014) == pytest.approx(rrf_c - 100 + 20)
    assert v("principal", "subvention_equilibre", 2014) == pytest.approx(20.0)
    assert v("principal", "encours_dette", 2015) == pytest.approx(v("consolidé", "encours_dette", 2015) - 80)
    ann = res.budgets[res.budgets.budget == "transports"]
    for ind in ("recettes_reelles_fonctionnement", "depenses_reelles_fonctionnement", "encours_dette"):
        pr = res.budgets[(res.budgets.budget == "principal") & (res.budgets.indicateur == ind)].set_index(
            "annee")["valeur"]
        cons = consolider(pr, ann, ind)
        for an in (2014, 2015):
            assert cons[an] == pytest.approx(v("consolidé", ind, an)), (ind, an)
    assert not any("budgets_annexes" in a for a in res.avertissements)


def test_teom_au_numerateur_du_cif():
    """Art. L.5211-30 CGCT: the EPCI's TEOM counts in its fiscal receipts. Toy bloc: (1 000 − 220 − 22) / 9 800
    = 0,07735 without it; with a TEOM of 200: (1 000 + 200 − 220 − 22) / (1 000 + 200 + 8 800) = 958 / 10 000."""
    d = donnees_mini()
    res = projeter(scen(), d)
    assert val(res, SIREN_AGGLO, "cif", 2013) == pytest.approx(758 / 9800)
    assert any("TEOM" in a for a in res.avertissements)
    d.finances_agglo["teom"] = 200.0
    res = projeter(scen(), d)
    assert val(res, SIREN_AGGLO, "cif", 2013) == pytest.approx(958 / 10000)
    assert val(res, SIREN_AGGLO, "cif", 2015) == pytest.approx(958 / 10000)     # growth 0
    assert not any("TEOM" in a for a in res.avertissements)


def test_sans_budgets_annexes_le_resultat_le_dit():
    res = projeter(scen(), donnees_mini())
    assert res.avertissements and "budgets_annexes" in res.avertissements[0]
    assert set(res.tableau().budget) == {"principal", "consolidé"}


def test_dette_consolidee_agglo_2014_2017_egale_principal_plus_annexes_ofgl(donnees_construites):
    """Consolidated debt of the agglomeration 2014–2017 = budget principal (real OFGL « dette ») + its budgets
    annexes (table budgets_annexes, anchored on the real OFGL « dette_ba ») within 1 %."""
    from orleans_gov.construction import charger
    from orleans_gov.scenarios.annexes import annexes_observees, consolider
    ba = charger("budgets_annexes", donnees_construites)
    ofgl = charger("ofgl_agglo", donnees_construites)
    o = ofgl[ofgl["an"].between(2014, 2017)].set_index("an")
    cons = consolider(o["dette"].astype(float), annexes_observees(ba), "encours_dette")
    reel = (o["dette"] + o["dette_ba"]).astype(float)
    for an in range(2014, 2018):
        assert cons[an] == pytest.approx(reel[an], rel=0.01), an


def test_ecretement_dotation_forfaitaire_exemple_b():
    """Art. L.2334-7 III CGCT (LFI 2015), docs/juridique/dgf-exemples.md (b): 20 200 hab, PF 900 €/hab, PF moyen
    600 (seuil 0,75 × 600 = 450), écart (900 − 450) / 450 = 1, point 4 € → 4 × 20 200 × 1 = 80 800 € = 80,8 k€
    (cap 3 % × 4 000 k€ = 120 k€ not reached); point 7 € → 141,4 k€ capped at 120 k€; PF 400 < 450 → 0."""
    from orleans_gov.scenarios.dotations import ecretement_dotation_forfaitaire as ecr
    assert ecr(20200, 900.0, 600.0, 4.0, 4000.0) == pytest.approx(80.8)
    assert ecr(20200, 900.0, 600.0, 7.0, 4000.0) == pytest.approx(120.0)
    assert ecr(20200, 400.0, 600.0, 7.0, 4000.0) == pytest.approx(0.0)
