"""Policy diagnostic: spending by M14 function, taux d'intégration, charges de centralité, competence matrix."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orleans_gov.analyse.politiques import (A_CONFIRMER, charges_centralite, competences_par_fonction,
                                            depenses_par_habitant, matrice_competences, normaliser_depenses,
                                            taux_integration)
from orleans_gov.restitution.politiques import matrice_eur_hab
from orleans_gov.base.erreurs import ErreurDonnees

RACINE = Path(__file__).resolve().parents[1]
COMPETENCES = RACINE / "data" / "raw" / "reel" / "competences" / "competences_agglo-orleans.csv"
AGGLO = "244500468"
ORLEANS = "45234"
A, B = "45089", "45232"   # Chécy, Olivet


def depenses_jouet() -> pd.DataFrame:
    lignes = [
        # entite, fonction, section, montant k€
        (A, "8", "fonctionnement", 300.0), (B, "8", "fonctionnement", 500.0), (AGGLO, "8", "fonctionnement", 1_200.0),
        (A, "3", "fonctionnement", 100.0), (B, "3", "fonctionnement", 100.0), (AGGLO, "3", "fonctionnement", 0.0),
        (A, "8", "investissement", 50.0), (B, "8", "investissement", 150.0), (AGGLO, "8", "investissement", 800.0),
    ]
    df = pd.DataFrame(lignes, columns=["entite", "fonction", "section", "montant"])
    df["an"] = 2013
    df["provenance"] = "exemple"
    return df


def test_taux_integration_exemple_calcule_a_la_main():
    t = taux_integration(depenses_jouet(), 2013, section="fonctionnement", communes_attendues=None).set_index("fonction")
    # fonction 8 : agglo 1 200 / (1 200 + 300 + 500) = 60 %
    assert t.loc["8", "communes_keur"] == pytest.approx(800.0)
    assert t.loc["8", "taux_integration_pct"] == pytest.approx(1_200 / 2_000 * 100)
    # fonction 3 : agglo 0 / (0 + 200) = 0 %
    assert t.loc["3", "taux_integration_pct"] == pytest.approx(0.0)
    # toutes fonctions : 1 200 / (1 200 + 1 000) = 54,5 %
    assert t.loc["Total", "taux_integration_pct"] == pytest.approx(1_200 / 2_200 * 100)
    assert (t["nb_communes"] == 2).all()
    # both sections: fonction 8 = (1 200 + 800) / (2 000 + 1 000) = 66,7 %
    t2 = taux_integration(depenses_jouet(), 2013, communes_attendues=None).set_index("fonction")
    assert t2.loc["8", "taux_integration_pct"] == pytest.approx(2_000 / 3_000 * 100)


def test_taux_integration_commune_manquante_ou_valeur_manquante():
    d = depenses_jouet()
    t = taux_integration(d, 2013, section="fonctionnement", communes_attendues=(A, B, ORLEANS)).set_index("fonction")
    assert math.isnan(t.loc["8", "taux_integration_pct"])          # Orléans absent: no rate
    d.loc[0, "montant"] = np.nan
    t = taux_integration(d, 2013, section="fonctionnement", communes_attendues=None).set_index("fonction")
    assert math.isnan(t.loc["8", "taux_integration_pct"])          # missing is not zero
    assert t.loc["3", "taux_integration_pct"] == pytest.approx(0.0)


def test_depenses_par_habitant_et_matrice():
    pops = pd.DataFrame({"entite": [A, B, AGGLO], "an": [2013] * 3, "population": [10_000, 20_000, 30_000]})
    dh = depenses_par_habitant(depenses_jouet(), pops)
    r = dh[(dh["entite"] == A) & (dh["fonction"] == "8") & (dh["section"] == "fonctionnement")].iloc[0]
    assert r["eur_hab"] == pytest.approx(300 * 1000 / 10_000)        # 30 €/hab
    assert r["libelle_fonction"] == "Aménagement, services urbains, environnement"
    assert r["nom"] == "Chécy" and r["niveau"] == "commune"
    m = matrice_eur_hab(dh, 2013)                                      # both sections
    assert m.loc["Chécy", "8 Aménagement, services urbains, environnement"] == pytest.approx((300 + 50) * 1000 / 10_000)
    assert m.loc["Olivet", "3 Culture"] == pytest.approx(100 * 1000 / 20_000)
    assert "AgglO Orléans Val de Loire" not in m.index
    # population absente -> NaN, pas 0
    dh2 = depenses_par_habitant(depenses_jouet(), pops[pops["entite"] != B])
    assert dh2.loc[dh2["entite"] == B, "eur_hab"].isna().all()


def test_charges_de_centralite_exemple_calcule_a_la_main():
    d = pd.DataFrame({"entite": [ORLEANS, A, B], "an": [2013] * 3, "fonction": ["3"] * 3,
                      "section": ["fonctionnement"] * 3, "montant": [20_000.0, 1_000.0, 1_500.0]})
    pops = pd.DataFrame({"entite": [ORLEANS, A, B], "an": [2013] * 3, "population": [100_000, 10_000, 30_000]})
    c = charges_centralite(depenses_par_habitant(d, pops), 2013).set_index("fonction").loc["3"]
    assert c["centre_eur_hab"] == pytest.approx(200.0)                       # 20 000 k€ / 100 000 hab
    assert c["moyenne_autres_eur_hab"] == pytest.approx((100 + 50) / 2)      # simple mean 75 €/hab
    assert c["moyenne_ponderee_autres_eur_hab"] == pytest.approx(2_500 * 1000 / 40_000)   # 62,5 €/hab
    assert c["ecart_eur_hab"] == pytest.approx(200 - 62.5)                   # 137,5 €/hab
    assert c["ratio"] == pytest.approx(200 / 62.5)                           # 3,2
    assert c["surcout_keur"] == pytest.approx(137.5 * 100_000 / 1000)        # 13 750 k€


def test_sous_fonctions_et_erreurs_de_saisie():
    d = pd.DataFrame({"entite": [A, A], "an": [2013, 2013], "fonction": ["82", "83"],
                      "section": ["fonctionnement"] * 2, "montant": [10.0, 5.0]})
    n = normaliser_depenses(d)
    assert list(n["fonction"]) == ["8", "8"] and list(n["sous_fonction"]) == ["82", "83"]
    t = taux_integration(d, 2013, communes_attendues=None).set_index("fonction")
    assert t.loc["8", "communes_keur"] == pytest.approx(15.0)
    bad = d.assign(section=["fonctionnement", "fonct."])
    with pytest.raises(ErreurDonnees, match="section") as e:
        normaliser_depenses(bad)
    assert e.value.ligne == 3 and e.value.valeur == "fonct."
    with pytest.raises(ErreurDonnees, match="fonction"):
        normaliser_depenses(d.assign(fonction=["8", "culture"]))
    with pytest.raises(ErreurDonnees, match="double"):
        normaliser_depenses(pd.concat([d, d.iloc[:1]], ignore_index=True))


def test_matrice_competences_table_reelle():
    comp = pd.read_csv(COMPETENCES, dtype=str)
    m = matrice_competences(comp)
    assert len(m) == 26 == len(comp)                                         # nothing dropped
    assert m["base_legale"].notna().all()                                    # legal basis kept on every line
    eau = m[m["domaine"] == "Eau potable"].iloc[0]
    assert eau["Communes"] == "●" and eau["Agglomération (obligatoire)"] == ""
    assert eau["statut"] == "sourcée"
    insertion = m[m["domaine"] == "Insertion et emploi"].iloc[0]
    assert insertion["Partagée"] == "●" and insertion["statut"] == A_CONFIRMER
    dechets = m[m["domaine"].str.startswith("Collecte et traitement des déchets")].iloc[0]
    assert dechets["Agglomération (optionnelle)"] == "●" and dechets["depuis"] == "2002"
    # each line has exactly one level
    niveaux = ["Communes", "Agglomération (obligatoire)", "Agglomération (optionnelle)",
               "Agglomération (intérêt communautaire)", "Agglomération (facultative)", "Partagée"]
    assert ((m[niveaux] == "●").sum(axis=1) == 1).all()
    cpf = competences_par_fonction(comp).set_index("fonction_m14")
    # function 8, counted in the CSV: communes = eau potable, PLU, GEMAPI, transition énergétique, concession
    # électricité-gaz (5); partagée = environnement hors déchets, voirie totalité (2)
    assert cpf.loc["8", "Communes"] == 5
    assert cpf.loc["8", "Partagée"] == 2


def test_matrice_competences_niveau_inconnu_et_source_absente():
    comp = pd.DataFrame({"domaine": ["X", "Y"], "fonction_m14": ["8", "3"], "niveau": ["communes", "communes"],
                         "depuis": [None, None], "base_legale": ["CGCT", "CGCT"],
                         "source_url": ["http://exemple", ""], "source_titre": ["t", ""], "note": ["ok", "ok"]})
    m = matrice_competences(comp)
    assert m.set_index("domaine").loc["Y", "statut"] == A_CONFIRMER       # no source_url
    assert m.set_index("domaine").loc["X", "statut"] == "sourcée"
    with pytest.raises(ErreurDonnees, match="niveau") as e:
        matrice_competences(comp.assign(niveau=["communes", "métropole"]))
    assert e.value.ligne == 3 and e.value.valeur == "métropole"


def test_populations_dgfip_agglo_somme_stricte():
    from orleans_gov.analyse.politiques import populations_dgfip
    fc = pd.DataFrame({"code_insee": [A, B, A, B], "an": [2013, 2013, 2014, 2014],
                       "pop1": [10_000.0, 20_000.0, 10_100.0, np.nan]})
    p = populations_dgfip(fc).set_index(["entite", "an"])["population"]
    assert p[(AGGLO, 2013)] == pytest.approx(10_000 + 20_000)
    assert math.isnan(p[(AGGLO, 2014)])                                # one pop1 missing → not a partial sum


def test_ecarts_depenses_comptes():
    from orleans_gov.analyse.politiques import ecarts_depenses_comptes
    d = depenses_jouet()
    fc = pd.DataFrame({"code_insee": [A, B], "an": [2013, 2013], "charge": [400.0, 650.0],
                       "depinv": [50.0, 150.0], "provenance": ["exemple", "réel"]})
    e = ecarts_depenses_comptes(d, fc)
    # A: fonctionnement 300 + 100 = 400 = charge (ok) ; B: 500 + 100 = 600 ≠ 650 → écart −50
    assert len(e) == 1
    r = e.iloc[0]
    assert r["entite"] == B and r["section"] == "fonctionnement"
    assert r["ecart_keur"] == pytest.approx(600 - 650)
    assert r["provenance_comptes"] == "réel"


def test_phrases_politiques_calculees():
    from orleans_gov.restitution.politiques import phrases_politiques
    t = taux_integration(depenses_jouet(), 2013, section="fonctionnement", communes_attendues=None)
    d = pd.DataFrame({"entite": [ORLEANS, A, B], "an": [2013] * 3, "fonction": ["3"] * 3,
                      "section": ["fonctionnement"] * 3, "montant": [20_000.0, 1_000.0, 1_500.0]})
    pops = pd.DataFrame({"entite": [ORLEANS, A, B], "an": [2013] * 3, "population": [100_000, 10_000, 30_000]})
    c = charges_centralite(depenses_par_habitant(d, pops), 2013)
    texte = " ".join(phrases_politiques(t, c, 2013)).replace("\xa0", " ").replace("\u202f", " ")
    assert "54,5 %" in texte                      # 1 200 / 2 200, total rate
    assert "culture (200 €/hab. contre 63 €/hab." in texte   # 62,5 rounded half up
    assert "13,8 M€" in texte                     # surcoût 13 750 k€
    assert "d'Orléans" in texte


def test_taux_integration_perimetre_par_defaut():
    # by default the 22 communes of the perimeter are expected: two communes only → no rate (not a partial sum)
    t = taux_integration(depenses_jouet(), 2013).set_index("fonction")
    assert t["taux_integration_pct"].isna().all()
    assert (t["agglomeration_keur"].notna()).all()


def test_population_en_double_refusee():
    pops = pd.DataFrame({"entite": [A, A], "an": [2013, 2013], "population": [10_000, 10_500]})
    with pytest.raises(ErreurDonnees, match="double"):
        depenses_par_habitant(depenses_jouet(), pops)
