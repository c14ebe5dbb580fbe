"""Financial indicators, strata comparison, evolutions and bloc communal: worked examples computed by hand."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orleans_gov.analyse.bloc import bloc_communal
from orleans_gov.analyse.finances import (RATIO_8_NON_CALCULABLE, evolution_annuelle, indicateurs_entites,
                                          indicateurs_financiers, indicateurs_financiers_gfp, tcam)
from orleans_gov.analyse.strates import comparaison_strate
from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.restitution.finances import alertes_bloc, lecture_capacite
from orleans_gov.sources.dgfip import read_fiche_aeff

RACINE = Path(__file__).resolve().parents[1]
FICHE_ORLEANS = RACINE / "data" / "raw" / "reel" / "finance" / "dgfip-aeff_orleans-45234_2013-2014.csv"


def commune_jouet() -> pd.DataFrame:
    """A toy commune over two years (k€), 2013 carries ``pfcaf`` (2017+ field) to test the denominator."""
    return pd.DataFrame({
        "code_insee": ["45999", "45999"], "an": [2012, 2013], "provenance": ["exemple", "exemple"],
        "pop1": [10_000, 10_100],
        "prod": [12_000.0, 12_600.0], "charge": [11_000.0, 11_800.0], "perso": [6_000.0, 6_300.0],
        "fin": [300.0, 280.0], "cont": [200.0, 220.0], "caf": [1_500.0, 1_240.0], "cafn": [900.0, 600.0],
        "dette": [9_000.0, 9_920.0], "remb": [600.0, 640.0], "equip": [2_000.0, 2_500.0],
        "impo1": [5_000.0, 5_200.0], "dgf": [2_500.0, 2_400.0], "pfcaf": [np.nan, 12_400.0],
    }, index=[10, 11])


def test_indicateurs_commune_jouet_exemple_calcule_a_la_main():
    ind = indicateurs_financiers(commune_jouet())
    assert list(ind.index) == [10, 11]                          # same index as the input
    a = ind.loc[10]
    assert a["epargne_brute"] == 1_500.0                          # = caf
    assert a["epargne_nette"] == 900.0                            # = cafn
    assert a["epargne_gestion"] == pytest.approx(1_500 + 300)     # caf + fin
    assert a["taux_epargne_brute"] == pytest.approx(1_500 / 12_000 * 100)   # 12,5 % on prod (no pfcaf)
    assert a["denominateur_taux_epargne"] == "prod"
    assert a["capacite_desendettement"] == pytest.approx(9_000 / 1_500)     # 6 years
    assert a["classe_capacite"] == "satisfaisant"
    assert lecture_capacite(ind).loc[10] == "satisfaisant (< 8 ans)"
    assert a["rigidite_charges"] == pytest.approx((6_000 + 200 + 300) / 12_000 * 100)  # 54,17 %
    assert a["encours_dette_par_habitant"] == pytest.approx(9_000 * 1000 / 10_000)    # 900 €/hab
    # DRF réelles = prod − caf = 12 000 − 1 500 = 10 500 (art. R.2313-1; the DGFiP charge 11 000 includes
    # amortissements) — was 11 000 before the R.2313-1 fix
    assert a["drf"] == pytest.approx(10_500.0)
    assert a["charges_dgfip"] == pytest.approx(11_000.0)
    assert a["r1_drf_hab"] == pytest.approx(1_050.0)             # 10 500 k€ / 10 000 hab
    assert a["r2_impots_directs_hab"] == pytest.approx(500.0)
    assert a["r3_rrf_hab"] == pytest.approx(1_200.0)
    assert a["r4_equipement_hab"] == pytest.approx(200.0)
    assert a["r5_dette_hab"] == pytest.approx(900.0)
    assert a["r6_dgf_hab"] == pytest.approx(250.0)
    assert a["r7_personnel_drf"] == pytest.approx(6_000 / 10_500 * 100)      # 57,14 %
    assert a["r9_marge_autofinancement"] == pytest.approx((10_500 + 600) / 12_000 * 100)  # 92,5 %
    assert a["r10_equipement_rrf"] == pytest.approx(2_000 / 12_000 * 100)
    assert a["r11_dette_rrf"] == pytest.approx(9_000 / 12_000 * 100)       # 75 %
    b = ind.loc[11]
    assert b["taux_epargne_brute"] == pytest.approx(1_240 / 12_400 * 100)   # 10 % on pfcaf
    assert b["denominateur_taux_epargne"] == "pfcaf"
    assert b["capacite_desendettement"] == pytest.approx(9_920 / 1_240)     # 8 years
    assert b["classe_capacite"] == "vigilance"
    assert lecture_capacite(ind).loc[11] == "vigilance (8 à 12 ans)"
    assert "prod − caf" in a["definition"]
    assert ind.attrs["ratio_8"] == RATIO_8_NON_CALCULABLE
    assert "potentiel fiscal" in ind.attrs["ratio_8"]


def test_caf_negative_capacite_non_calculable():
    df = commune_jouet().iloc[:1].copy()
    df["caf"] = -200.0
    df["cafn"] = -800.0
    ind = indicateurs_financiers(df).iloc[0]
    assert math.isnan(ind["capacite_desendettement"])           # never -45 years
    assert lecture_capacite(indicateurs_financiers(df)).iloc[0] == "non calculable (épargne brute ≤ 0)"
    assert ind["taux_epargne_brute"] == pytest.approx(-200 / 12_000 * 100)
    df["caf"] = 0.0
    assert math.isnan(indicateurs_financiers(df).iloc[0]["capacite_desendettement"])


def test_valeur_manquante_reste_manquante():
    df = commune_jouet()
    df.loc[10, "dette"] = np.nan
    df = df.drop(columns=["cont"])
    ind = indicateurs_financiers(df, colonnes="communes")
    assert math.isnan(ind.loc[10, "capacite_desendettement"])
    assert pd.isna(lecture_capacite(ind).loc[10])
    assert ind["rigidite_charges"].isna().all()                  # cont absent: not treated as 0


def test_valeur_non_numerique_refusee():
    df = commune_jouet().astype({"perso": "object"})
    df.loc[11, "perso"] = "n.c."
    with pytest.raises(ErreurDonnees, match="perso"):
        indicateurs_financiers(df)


def test_indicateurs_gfp_correspondance_explicite():
    gfp = pd.DataFrame({"siren": ["244500468"], "an": [2013], "mpoid": [100_000], "pftot": [50_000.0],
                        "cftot": [42_000.0], "perstot": [10_000.0], "cfitot": [1_000.0], "caftot": [8_000.0],
                        "cafntot": [5_000.0], "entot": [40_000.0], "edettot": [3_000.0], "detot": [12_000.0],
                        "iltot": [20_000.0], "dgftot": [9_000.0], "revtot": [-7_000.0]})
    for ind in (indicateurs_financiers(gfp), indicateurs_financiers_gfp(gfp)):
        r = ind.iloc[0]
        assert r["entite"] == "244500468"
        assert r["epargne_gestion"] == pytest.approx(8_000 + 1_000)
        assert r["capacite_desendettement"] == pytest.approx(40_000 / 8_000)   # 5 years
        assert r["rigidite_charges"] == pytest.approx((10_000 + 1_000) / 50_000 * 100)  # 22 %, no contingents
        assert r["r1_drf_hab"] == pytest.approx(42_000 * 1000 / 100_000)        # 420 €/hab
        assert r["r9_marge_autofinancement"] == pytest.approx((42_000 + 3_000) / 50_000 * 100)
        assert "GFP" in r["definition"]


def test_indicateurs_entites_tidy():
    gfp = pd.DataFrame({"siren": ["244500468"], "an": [2012], "mpoid": [100_000], "pftot": [50_000.0],
                        "caftot": [8_000.0], "entot": [40_000.0]})
    out = indicateurs_entites(commune_jouet(), gfp)
    assert set(out["niveau"]) == {"commune", "agglomération"}
    assert len(out) == 3
    assert out.loc[out["niveau"] == "agglomération", "capacite_desendettement"].iloc[0] == pytest.approx(5.0)


def test_orleans_2013_capacite_desendettement_fiche_reelle():
    fiche = read_fiche_aeff(FICHE_ORLEANS)
    ind = indicateurs_financiers(fiche).set_index("an")
    assert ind.loc[2013, "capacite_desendettement"] == pytest.approx(101_223 / 30_827, abs=0.01)
    assert round(ind.loc[2013, "capacite_desendettement"], 2) == 3.28
    assert ind.loc[2013, "epargne_nette"] == 18_595.0                    # = caf − remb = 30 827 − 12 232


def test_ratios_r2313_1_orleans_2013_drf_reelles():
    """Art. R.2313-1 CGCT ratios 1, 7, 9 on the real Orléans 2013 sheet, with DRF = dépenses réelles de
    fonctionnement = prod − caf = 180 447 − 30 827 = 149 620 k€ (not the DGFiP charge 165 497, which includes the
    dotations aux amortissements): R1 = 149 620 / 117 833 hab = 1 269,8 €/hab; R7 = 78 539 / 149 620 = 52,49 %;
    R9 = (149 620 + 12 232) / 180 447 = 89,70 %; épargne de gestion = ebf = 32 501."""
    ind = indicateurs_financiers(read_fiche_aeff(FICHE_ORLEANS)).set_index("an")
    o = ind.loc[2013]
    assert o["drf"] == pytest.approx(149_620.0)
    assert o["r1_drf_hab"] == pytest.approx(1_269.8, abs=0.05)
    assert o["r7_personnel_drf"] == pytest.approx(52.49, abs=0.005)
    assert o["r9_marge_autofinancement"] == pytest.approx(89.70, abs=0.005)
    assert o["epargne_gestion"] == pytest.approx(32_501.0)


def test_ratios_reproduisent_les_colonnes_dgfip_orleans():
    """The R.2313-1 ratios and structure ratios match the DGFiP's own ``f*`` (1 €/hab) and ``r*`` (0,05 pt)."""
    fiche = read_fiche_aeff(FICHE_ORLEANS)
    ind = indicateurs_financiers(fiche)
    # the DGFiP's fcharge / rperso rest on « charge » (amortissements included): compared with charges_dgfip
    ind = ind.assign(charges_dgfip_hab=ind["charges_dgfip"] * 1000 / ind["population"],
                     perso_charges_dgfip=ind["personnel"] / ind["charges_dgfip"] * 100)
    paires_hab = {"charges_dgfip_hab": "fcharge", "r2_impots_directs_hab": "fimpo1", "r3_rrf_hab": "fprod",
                  "r4_equipement_hab": "fequip", "r5_dette_hab": "fdette", "r6_dgf_hab": "fdgf",
                  "epargne_brute_par_habitant": "fcaf"}
    for col, dgfip in paires_hab.items():
        assert (ind[col] - fiche[dgfip]).abs().max() <= 1.0, col
    paires_pct = {"perso_charges_dgfip": "rperso", "taux_epargne_brute": "rcaf", "taux_epargne_nette": "rcafn",
                  "r11_dette_rrf": "rdette"}
    for col, dgfip in paires_pct.items():
        assert (ind[col] - fiche[dgfip]).abs().max() <= 0.05, col


def test_comparaison_strate_orleans_2013():
    fiche = read_fiche_aeff(FICHE_ORLEANS)
    cmp = comparaison_strate(fiche, champs=["perso", "dette"])
    perso = cmp[(cmp["an"] == 2013) & (cmp["champ"] == "perso")].iloc[0]
    assert perso["valeur_eur_hab"] == 667.0 and perso["moyenne_strate_eur_hab"] == 679.0
    assert perso["indice"] == pytest.approx(667 / 679 * 100)        # 98,2 : below the strata
    assert perso["ecart_eur_hab"] == pytest.approx(-12.0)
    assert perso["strate"] == "communes de plus de 100 000 hab"


def test_comparaison_strate_depuis_table_des_moyennes():
    df = commune_jouet().assign(nomsst1="communes de 10 000 à 20 000 hab",
                                nomsst2="appartenant à un groupement fiscalisé (FPU)")
    moy = pd.DataFrame({"an": [2012], "strate": ["communes de 10 000 à 20 000 hab"],
                        "regime": ["appartenant à un groupement fiscalisé (FPU)"], "code": ["perso"],
                        "valeur": [500.0], "unite": ["€/hab"]})
    cmp = comparaison_strate(df, champs=["perso"], moyennes=moy).set_index("an")
    assert cmp.loc[2012, "valeur_eur_hab"] == pytest.approx(6_000 * 1000 / 10_000)   # 600 €/hab, no fperso
    assert cmp.loc[2012, "indice"] == pytest.approx(600 / 500 * 100)                  # 120
    assert cmp.loc[2012, "source_moyenne"] == "table moyennes_strates (DGFiP)"
    assert math.isnan(cmp.loc[2013, "indice"])                                        # no mean for 2013


def test_evolution_et_tcam():
    df = pd.DataFrame({"entite": ["A"] * 4 + ["B"] * 2, "an": [2010, 2011, 2013, 2014, 2010, 2011],
                       "x": [100.0, 110.0, 121.0, 133.1, -5.0, 10.0]})
    ev = evolution_annuelle(df, ["x"]).set_index(["entite", "an"])["evol_x"]
    assert ev[("A", 2011)] == pytest.approx((110 / 100 - 1) * 100)    # 10 %
    assert math.isnan(ev[("A", 2013)])                                 # 2012 missing: no 2-year jump
    assert ev[("A", 2014)] == pytest.approx(10.0)
    assert math.isnan(ev[("B", 2011)])                                 # change of sign
    t = tcam(df, ["x"], 2010, 2014).set_index("entite")
    assert t.loc["A", "tcam_x"] == pytest.approx(((133.1 / 100) ** (1 / 4) - 1) * 100)   # 7,41 %
    assert math.isnan(t.loc["B", "tcam_x"])                            # 2014 missing for B


# ----------------------------------------------------------------------------------------------------
def bloc_jouet():
    communes = pd.DataFrame({"code_insee": ["45001", "45002"], "an": [2013, 2013], "pop1": [1_000, 3_000],
                             "prod": [1_000.0, 2_000.0], "charge": [800.0, 1_500.0], "caf": [150.0, 300.0],
                             "cafn": [100.0, 200.0], "perso": [400.0, 700.0], "impo1": [300.0, 600.0],
                             "dgf": [200.0, 300.0], "equip": [100.0, 400.0], "dette": [500.0, 900.0],
                             "provenance": ["exemple", "exemple"]})
    agglo = pd.DataFrame({"siren": ["244500468"], "an": [2013], "mpoid": [4_000], "pftot": [5_000.0],
                          "revtot": [-350.0], "cftot": [4_000.0], "caftot": [600.0], "cafntot": [400.0],
                          "perstot": [1_000.0], "iltot": [2_500.0], "dgftot": [800.0], "detot": [900.0],
                          "entot": [3_000.0], "provenance": ["exemple"]})
    flux = pd.DataFrame({"code_insee": ["45001", "45002"], "an": [2013, 2013],
                         "attribution_compensation": [100.0, 200.0], "dsc": [0.0, 50.0]})
    return communes, agglo, flux


def test_bloc_communal_retire_les_flux_une_fois():
    communes, agglo, flux = bloc_jouet()
    b = bloc_communal(communes, agglo, flux, communes_attendues=None).set_index("indicateur")
    rrf = b.loc["rrf"]
    # F = AC 100 + AC 200 + DSC 50 = 350 k€
    assert rrf["flux_internes_keur"] == pytest.approx(350.0)
    assert rrf["communes_keur"] == pytest.approx(1_000 + 2_000 - 350)     # 2 650: own resources
    assert rrf["agglomeration_keur"] == pytest.approx(5_000 + 350)        # 5 350: before reversement
    assert rrf["bloc_keur"] == pytest.approx((3_000 + 5_350) - 350)       # gross sum 8 350 minus F once = 8 000
    assert rrf["bloc_eur_hab"] == pytest.approx(8_000 * 1000 / 4_000)     # 2 000 €/hab
    assert rrf["part_agglomeration_pct"] == pytest.approx(5_350 / 8_000 * 100)   # 66,875 %
    assert rrf["part_communes_pct"] == pytest.approx(2_650 / 8_000 * 100)
    assert rrf["ecart_flux_revtot_keur"] == pytest.approx(0.0)
    eb = b.loc["epargne_brute"]
    assert eb["communes_keur"] == pytest.approx(150 + 300 - 350)          # 100
    assert eb["agglomeration_keur"] == pytest.approx(600 + 350)           # 950
    assert eb["bloc_keur"] == pytest.approx(1_050.0)
    drf = b.loc["drf"]
    assert drf["bloc_keur"] == pytest.approx(800 + 1_500 + 4_000)         # no internal flow in charges
    assert math.isnan(drf["flux_internes_keur"])
    assert (b["nb_communes"] == 2).all()
    assert (b["provenance"] == "exemple").all()
    assert b.attrs["ecarts_flux"] == [] and alertes_bloc(b) == []


def test_bloc_communal_sans_table_des_flux_utilise_revtot_et_signale_les_ecarts():
    communes, agglo, flux = bloc_jouet()
    b = bloc_communal(communes, agglo, communes_attendues=None).set_index("indicateur")
    assert b.loc["rrf", "bloc_keur"] == pytest.approx(8_000.0)
    assert b.loc["rrf", "flux_internes_keur"] == pytest.approx(350.0)
    flux.loc[1, "dsc"] = 0.0                                              # Σ = 300 ≠ 350
    b = bloc_communal(communes, agglo, flux, communes_attendues=None)
    assert b.set_index("indicateur").loc["rrf", "ecart_flux_revtot_keur"] == pytest.approx(300 - 350)
    assert len(b.attrs["ecarts_flux"]) == 1 and "2013" in alertes_bloc(b)[0]


def test_bloc_communal_valeur_manquante_pas_de_zero():
    communes, agglo, flux = bloc_jouet()
    communes.loc[0, "perso"] = np.nan
    b = bloc_communal(communes, agglo, flux, communes_attendues=None).set_index("indicateur")
    assert math.isnan(b.loc["personnel", "bloc_keur"])
    assert b.loc["drf", "bloc_keur"] == pytest.approx(6_300.0)


def test_correspondance_explicite_des_colonnes():
    df = pd.DataFrame({"entite": ["X"], "an": [2013], "habitants": [1_000], "recettes": [2_000.0],
                       "epargne": [300.0], "dette_totale": [1_500.0]})
    ind = indicateurs_financiers(df, colonnes={"population": "habitants", "rrf": "recettes",
                                               "epargne_brute": "epargne", "encours_dette": "dette_totale"}).iloc[0]
    assert ind["capacite_desendettement"] == pytest.approx(1_500 / 300)
    assert ind["taux_epargne_brute"] == pytest.approx(300 / 2_000 * 100)
    assert math.isnan(ind["epargne_gestion"])        # no interest column mapped: unknown, not caf + 0


def test_phrases_generees_depuis_les_resultats():
    from orleans_gov.restitution.finances import phrases_bloc, phrases_situation, phrases_strate
    df = commune_jouet()
    df.loc[11, "caf"] = -100.0
    ind = indicateurs_financiers(df).assign(niveau="commune")
    assert any("épargne brute nulle ou négative" in p for p in phrases_situation(ind, 2013))
    cmp = pd.DataFrame({"entite": ["45234", "45089"], "an": [2013, 2013], "champ": ["perso", "perso"],
                        "valeur_eur_hab": [700.0, 400.0], "moyenne_strate_eur_hab": [500.0, 500.0],
                        "indice": [140.0, 80.0]})
    texte = " ".join(phrases_strate(cmp, 2013, "perso")).replace("\xa0", " ").replace("\u202f", " ")
    assert "Orléans (+40 %, 700 €/hab. contre 500 €/hab.)" in texte      # 700 / 500 = 1,40
    assert "Chécy (−20 %" in texte
    communes, agglo, flux = bloc_jouet()
    texte = " ".join(phrases_bloc(bloc_communal(communes, agglo, flux, communes_attendues=None), 2013)).replace("\xa0", " ").replace("\u202f", " ")
    assert "8,0 M€" in texte and "0,4 M€" in texte                        # 8 000 k€ ; flows 350 k€


def test_bloc_communal_commune_absente_pas_de_somme_partielle():
    communes, agglo, flux = bloc_jouet()
    b = bloc_communal(communes, agglo, flux, communes_attendues=("45001", "45002", "45003")).set_index("indicateur")
    assert math.isnan(b.loc["drf", "bloc_keur"]) and math.isnan(b.loc["drf", "communes_keur"])
    assert b.loc["drf", "agglomeration_keur"] == pytest.approx(4_000.0)
    assert b.loc["drf", "communes_manquantes"] == "45003"
    assert b.loc["drf", "nb_communes"] == 2


def test_ratios_gfp_reproduisent_les_colonnes_par_habitant(donnees_construites):
    """On the processed agglomeration accounts, the per-inhabitant ratios equal the file's ``XXXtothab`` (1 €/hab)."""
    from orleans_gov.construction import charger
    fa = charger("finances_agglo", donnees_construites)
    ind = indicateurs_financiers_gfp(fa)
    ind = ind.assign(charges_hab=ind["charges_dgfip"] * 1000 / ind["population"])
    for col, dgfip in {"charges_hab": "cftothab", "r3_rrf_hab": "pftothab", "r4_equipement_hab": "detothab",
                       "r5_dette_hab": "entothab", "epargne_brute_par_habitant": "caftothab"}.items():
        assert (ind[col] - fa[dgfip]).abs().max() <= 1.0, col
