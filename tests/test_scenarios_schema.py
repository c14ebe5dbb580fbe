"""Scenario schema (pydantic models): every error at once with its key path and a French message, the dated legal
parameters and their explicit overrides, the generated reference table, the vocabulary of the indicators."""
from __future__ import annotations

import copy
import shutil
from pathlib import Path
import doctest

import numpy as np
import pandas as pd
import pytest
import yaml

import orleans_gov.scenarios as S
from orleans_gov.base import vocabulaire
from orleans_gov.base.erreurs import ErreurScenario
from orleans_gov.base.parametres import lire_parametres, parametres
from orleans_gov.base.territoire import SIREN_AGGLO
from orleans_gov.cli import main
from orleans_gov.scenarios import INDICATEURS, charger_scenario, projeter, scenarios_livres
from orleans_gov.scenarios import donnees, resultats
from orleans_gov.scenarios.dotations import BORNES, PARAMETRES_MOTEUR, VALEUR_POINT
from orleans_gov.scenarios.schema import (DEFAUT_HYPOTHESES, Scenario, domaines_competences, table_reference,
                                          valider_scenario)
from orleans_gov.scenarios.schema import lecture
from orleans_gov.scenarios.schema.reference import DEBUT, FIN, README
from orleans_gov.scenarios.sensibilite import LIBELLES_HYPOTHESES
from test_scenarios import VALIDE, donnees_mini, scen, val

DOMAINES = domaines_competences()


def erreurs(brut: dict, **kw) -> list[tuple[str, str]]:
    with pytest.raises(ErreurScenario) as exc:
        valider_scenario(brut, fichier="x.yaml", domaines=DOMAINES, **kw)
    return exc.value.erreurs


def valide(**maj) -> dict:
    d = copy.deepcopy(VALIDE)
    d.update(maj)
    return d


def test_toutes_les_erreurs_en_une_fois_dans_l_ordre_du_fichier():
    brut = valide(description="", horizon={"debut": 2014, "fin": 2013}, inconnue=1)
    brut["hypotheses"] = {"emprunts": {"taux_interet": "3 %", "duree_annees": 2.5}}
    brut["actions"][0].update(communes=["45234", "Paris", "45234"], date=2013)   # horizon invalid: date vs R only
    brut["actions"].append({"type": "pacte_financier", "date": 2015,
                            "dsc": {"montant_keur": 10, "criteres": {"population": 0.5, "revenu": 0.4}}})
    with pytest.raises(ErreurScenario) as exc:
        valider_scenario(brut, fichier="x.yaml", domaines=DOMAINES)
    e = exc.value
    attendu = [
        ("description", "texte non vide attendu"),
        ("horizon.fin", "fin 2013 antérieure au début 2014"),
        ("actions[0].date", "antérieure ou égale à l'année de référence 2013"),
        ("actions[0].communes[1]", "commune inconnue 'Paris'"),
        ("actions[0].communes[2]", "commune 45234 citée deux fois"),
        ("actions[1].dsc.criteres", "la somme des pondérations doit valoir 1"),
        ("inconnue", "clé inconnue (clés admises : nom, description, annee_reference, horizon, base"),
        ("hypotheses.emprunts.taux_interet", "nombre attendu, pas '3 %'"),
        ("hypotheses.emprunts.duree_annees", "nombre entier attendu, pas 2.5"),
    ]
    assert len(e.erreurs) == len(attendu)
    for cle, texte in attendu:
        assert any(c == cle and texte in m for c, m in e.erreurs), (cle, e.erreurs)
        assert f"« {cle} »" in str(e)
    assert str(e).startswith(f"fichier « x.yaml » : {len(attendu)} erreurs :")
    # the order of the file: the keys in the order written (description, horizon, actions, inconnue, hypotheses)
    cles = [c for c, _ in e.erreurs]
    assert cles.index("description") < cles.index("horizon.fin") < cles.index("actions[0].date") \
        < cles.index("inconnue") < cles.index("hypotheses.emprunts.taux_interet")
    assert (e.cle, e.raison) == e.erreurs[0]


@pytest.mark.parametrize("modif, cle, raison", [
    (lambda d: d.pop("nom"), "nom", "clé obligatoire absente"),
    (lambda d: d["actions"][0].pop("clect"), "actions[0].clect", "clé obligatoire absente"),
    (lambda d: d["actions"][0]["clect"].update(n=3), "actions[0].clect.n",
     "clé inconnue (clés admises : annees_moyenne, recettes_liees_pct, equipement)"),
    (lambda d: d["actions"][0].update(part_fonction="moitié"), "actions[0].part_fonction", "nombre attendu"),
    (lambda d: d["actions"][0].update(transfert_investissement="oui"), "actions[0].transfert_investissement",
     "vrai/faux attendu, pas 'oui'"),
    (lambda d: d["actions"][0]["clect"].update(annees_moyenne=12), "actions[0].clect.annees_moyenne",
     "valeur 12 supérieure au maximum 10"),
    (lambda d: d["actions"][0]["clect"]["equipement"].update(methode="moyenne"),
     "actions[0].clect.equipement.methode", "valeur 'moyenne' inconnue (valeurs admises : aucun, "
                                            "investissement_moyen, inventaire)"),
    (lambda d: d["actions"][0].update(type="fusion"), "actions[0].type",
     # the list grew with the governance actions of issue 12 (schema/gouvernance.py)
     "valeur 'fusion' inconnue (valeurs admises : transfert, service_commun, pacte_financier, changement_categorie, "
     "revision_attributions, dsc_criteres, fpic_repartition, schema_mutualisation, composition_conseil)"),
    (lambda d: d["actions"][0].pop("type"), "actions[0].type", "chaque action doit avoir un « type »"),
    (lambda d: d["actions"].append(3), "actions[1]", "un dictionnaire (clé: valeur) est attendu, pas 3"),
    (lambda d: d.update(annee_reference=2035), "annee_reference", "valeur 2035 supérieure au maximum 2030"),
    (lambda d: d["actions"][0]["personnel"].update(etp={"45147": 2}), "actions[0].personnel.etp.45147",
     "absente de la liste des communes qui transfèrent"),
    (lambda d: d["actions"][0]["clect"].update(equipement={"methode": "inventaire", "inventaire": [
        {"commune": "45147", "libelle": "Gymnase", "cout": 100, "duree_vie": 0}]}),
     "actions[0].clect.equipement.inventaire[0].duree_vie", "durée de vie nulle refusée"),
    (lambda d: d["actions"][0].update(part_fonction={"45234": 0.5}), "actions[0].part_fonction",
     "part manquante pour ['45034']"),
    (lambda d: d.update(hypotheses={"croissance": {"communes": {"dgf": {2014: 0.0, 2015: 0.0}}}}),
     "hypotheses.croissance.communes.dgf", "taux manquant pour les années [2016, 2017, 2018, 2019, 2020]"),
])
def test_messages_en_francais_et_chemins(modif, cle, raison):
    brut = valide()
    modif(brut)
    e = erreurs(brut)
    assert any(c == cle and raison in m for c, m in e), e


def test_ancienne_cle_dotation_intercommunalite_refusee():
    h = copy.deepcopy(DEFAUT_HYPOTHESES)
    h["dotation_intercommunalite"] = {"valeur_point_eur_hab": 40}
    e = erreurs(valide(hypotheses=h))
    assert len(e) == 1
    cle, message = e[0]
    assert cle == "hypotheses.dotation_intercommunalite"
    assert "clé retirée" in message and "« parametres »" in message and "dotations.yaml" in message
    assert "dotation_intercommunalite" not in DEFAUT_HYPOTHESES


def test_surcharges_de_parametres_validees_et_enregistrees():
    e = erreurs(valide(parametres={"dotation_intercommunalite.point": 2, VALEUR_POINT: -1,
                                   "dotation_intercommunalite.decalage_annees": 1.5}))
    assert ("parametres.dotation_intercommunalite.point", "paramètre inconnu 'dotation_intercommunalite.point' "
            "(paramètres du moteur : " + ", ".join(PARAMETRES_MOTEUR) + ")") in e
    assert ("parametres." + VALEUR_POINT, "montant négatif refusé (valeur -1)") in e
    assert ("parametres.dotation_intercommunalite.decalage_annees", "nombre entier attendu, pas 1.5") in e
    sc = valider_scenario(valide(parametres={VALEUR_POINT: 45}), fichier="x.yaml", domaines=DOMAINES)
    assert sc.parametres == {VALEUR_POINT: 45.0}
    regles = sc.parametres_legaux()
    assert regles(VALEUR_POINT, 2016) == 45.0 and regles.parametre(VALEUR_POINT).surcharge
    assert "surcharge explicite du scénario" in regles.reference(VALEUR_POINT, 2016)
    # without override: the dated values of dotations.yaml
    sc0 = valider_scenario(valide(), fichier="x.yaml", domaines=DOMAINES)
    assert sc0.parametres == {} and sc0.parametres_legaux()(VALEUR_POINT, 2016) == parametres()(VALEUR_POINT, 2016)
    # the counterfactual keeps the overrides
    assert sc.sans_actions().parametres_legaux()(VALEUR_POINT, 2016) == 45.0


def test_resultats_enregistrent_les_parametres():
    res = projeter(scen(), donnees_mini())
    p = res.parametres
    assert set(p.parametre) == set(PARAMETRES_MOTEUR) and set(p.annee) == set(range(2013, 2021))
    ligne = p[(p.parametre == VALEUR_POINT) & (p.annee == 2016)].iloc[0]
    assert ligne.valeur == 2.0 and bool(ligne.surcharge)


def test_parametres_dates_lus_pour_chaque_annee(tmp_path):
    # the value of the point rises from 2 to 4 €/hab on 1 January 2017 (dated parameter, no override): the
    # dotation of 2016 uses 2 €/hab, that of 2017 onwards 4 €/hab; CIF before the action, lag 2 years
    (tmp_path / "dotations.yaml").write_text(yaml.safe_dump({"dotation_intercommunalite": {
        "valeur_point_eur_hab": {"reference": "test", "unite": "€/hab", "valeurs": {2005: 2.0, 2017: 4.0}},
        "cif_moyen_categorie": {"reference": "test", "valeurs": {2005: 0.33}},
        "decalage_annees": {"reference": "test", "valeurs": {2005: 2}},
        "part_dsc_cif": {"reference": "test", "valeurs": {2005: 0.5}},
        "rapport_potentiel_fiscal": {"reference": "test", "valeurs": {2005: 1.0}}}}), encoding="utf-8")
    # the engine also reads the FCTVA, the CRFP and the garanties of the DI (dgf.yaml): the shipped file
    shutil.copy(Path(S.__file__).resolve().parents[1] / "base" / "parametres" / "dgf.yaml", tmp_path / "dgf.yaml")
    regles = lire_parametres(tmp_path)
    brut = {"nom": "t", "description": "t", "annee_reference": 2013, "horizon": {"debut": 2014, "fin": 2020},
            "hypotheses": {"croissance": {n: {f: 0.0 for f in DEFAUT_HYPOTHESES["croissance"][n]}
                                          for n in ("communes", "agglomeration")}}}
    sc = valider_scenario(brut, fichier="t.yaml", domaines=DOMAINES, regles=regles)
    res = projeter(sc, donnees_mini())
    cif = 758 / 9800      # (1 000 − 220 − 22) / 9 800, see test_cif_avant_apres_transfert_et_dgf
    assert val(res, SIREN_AGGLO, "dotation_intercommunalite", 2016) == pytest.approx(100000 * 2 * cif / 0.33 / 1000)
    # 2017: the spontaneous dotation doubles, but art. L.5211-33 I caps it at 130 % of 2016 (plafond from 2017)
    assert val(res, SIREN_AGGLO, "dotation_intercommunalite", 2017) == pytest.approx(
        1.3 * 100000 * 2 * cif / 0.33 / 1000)
    assert set(res.parametres[res.parametres.parametre == VALEUR_POINT].valeur) == {2.0, 4.0}


def test_heritage_des_parametres(tmp_path):
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({**valide(), "parametres": {VALEUR_POINT: 30}}),
                                        encoding="utf-8")
    (tmp_path / "fille.yaml").write_text("nom: f\ndescription: d\nbase: base.yaml\n"
                                         "parametres: {dotation_intercommunalite.part_dsc_cif: 0.4}\n",
                                         encoding="utf-8")
    sc = charger_scenario(tmp_path / "fille.yaml")
    assert sc.parametres == {VALEUR_POINT: 30.0, "dotation_intercommunalite.part_dsc_cif": 0.4}
    assert sc.base == "base.yaml" and sc.fichier == str(tmp_path / "fille.yaml")
    # an error in the base file is reported with the base's name
    (tmp_path / "base.yaml").write_text(yaml.safe_dump({**valide(), "parametres": {VALEUR_POINT: "x"}}),
                                        encoding="utf-8")
    with pytest.raises(ErreurScenario, match="base.yaml"):
        charger_scenario(tmp_path / "fille.yaml")


def test_fichiers_livres_sans_ancienne_cle_et_taux_en_pourcentage():
    d = donnees_mini()
    res = projeter(scen(), d)
    # reference year: CAF 150 / RRF 1 000 = 15 % (the unit of analyse.finances and of the vocabulary)
    assert val(res, "45034", "taux_epargne_brute", 2013) == pytest.approx(15.0)
    assert vocabulaire.unite("taux_epargne_brute") == "%"
    for f in scenarios_livres():
        brut = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert "dotation_intercommunalite" not in (brut.get("hypotheses") or {}), f.name


def test_chaque_indicateur_du_moteur_est_dans_le_vocabulaire():
    assert len(INDICATEURS) == len(set(INDICATEURS)) and isinstance(INDICATEURS, tuple)
    manquants = [k for k in INDICATEURS if not vocabulaire.existe(k)]
    assert not manquants
    assert LIBELLES_HYPOTHESES["dgf"] == vocabulaire.libelle("hypothese_dgf")


def test_parametres_des_dotations_dates_et_references():
    regles = parametres()
    for nom in PARAMETRES_MOTEUR:
        p = regles.parametre(nom)
        assert p.reference and all(v.reference.strip() for v in p.valeurs), nom
        b = BORNES[nom]
        for v in p.valeurs:
            assert b.get("minimum", -np.inf) <= v.valeur <= b.get("maximum", np.inf), nom
            if b.get("entier"):
                assert float(v.valeur).is_integer()
    # the values of the former scenario assumptions, over the mandate
    assert [regles(n, 2016) for n in PARAMETRES_MOTEUR[:4]] == [40.0, 0.33, 2.0, 0.5]
    # FCTVA (art. L.1615-6 CGCT): 16,404 % for spending from 2015, received N+2 (communes), N (CA)
    assert [regles(n, 2016) for n in ("fctva.taux", "fctva.decalage_annees.droit_commun",
                                      "fctva.decalage_annees.communautes_agglomeration")] == [0.16404, 2.0, 0.0]
    # CRFP 2015 tranche (average rates, dgf.yaml): 1,84 % of the RRF (communes), 2,3 % (EPCI)
    assert [regles(n, 2015) for n in ("crfp.taux_indicatif_bloc", "crfp.taux_indicatif_epci")] == [0.0184, 0.023]
    assert "à confirmer" in regles.reference(VALEUR_POINT, 2016)


def test_table_de_reference_du_readme_a_jour():
    contenu = README.read_text(encoding="utf-8")
    bloc = contenu.split(DEBUT, 1)[1].split(FIN, 1)[0]
    assert bloc.strip() == table_reference().strip(), \
        "README des scénarios périmé : lancer « python -m orleans_gov.scenarios.schema »"
    for cle in ("`hypotheses.emprunts.taux_interet`", "`actions[].clect.equipement.inventaire[].duree_vie`",
                "`actions[].economies.a_partir_de`", "`dotation_intercommunalite.part_dsc_cif`"):
        assert cle in bloc
    assert "clé inconnue" not in bloc and Scenario.model_json_schema()["additionalProperties"] is False


def test_exemples_des_docstrings(donnees_construites):
    for objet in (S, lecture.charger_scenario, donnees.charger_donnees, resultats.projeter):
        tests = doctest.DocTestFinder().find(objet, globs={})
        assert tests and any(t.examples for t in tests)
        for t in tests:
            r = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(t)
            assert r.failed == 0, t.name


def test_cli_ecrit_les_parametres(donnees_construites, tmp_path, capsys):
    assert main(["scenario", str(scenarios_livres()[0]), "--sortie", str(tmp_path), "--dossier-donnees",
                 str(donnees_construites)]) == 0
    p = pd.read_csv(tmp_path / "parametres.csv")
    assert list(p.columns) == ["annee", "parametre", "valeur", "unite", "reference", "surcharge"]
    assert not p.surcharge.any() and "ETP" in capsys.readouterr().out


def test_taux_epargne_brute_du_moteur_en_pourcent():
    """One unit per name (issue 10): the engine's taux d'épargne brute is a percent, as the vocabulary says."""
    import numpy as np

    from orleans_gov.base import vocabulaire
    from orleans_gov.scenarios.noyau import taux_epargne_brute
    assert vocabulaire.unite("taux_epargne_brute") == "%"
    # épargne brute 150 k€ on RRF 1 000 k€ → 15 % (computed by hand)
    assert float(taux_epargne_brute(np.array([150.0]), np.array([1000.0]))[0]) == 15.0
