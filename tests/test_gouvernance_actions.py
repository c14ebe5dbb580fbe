"""Engine-level tests of the governance actions (issue 12): the shipped scenario of each family projected on the
repository's data, checked against values computed by hand from the reference state (formulas written out here,
independent of the code), plus the schema's refusals and the deliverable 04 against ``resultats.csv``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from orleans_gov.base.erreurs import ErreurDonnees, ErreurScenario
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO
from orleans_gov.scenarios import BLOC, charger_donnees, charger_scenario, projeter
from orleans_gov.scenarios.actions.gouvernance_conseil import repartition_sieges
from orleans_gov.scenarios.annexes import CONSOLIDE, PRINCIPAL
from orleans_gov.scenarios.etat import IA, IDX

RACINE = Path(__file__).resolve().parents[1]
SCENARIOS = RACINE / "config" / "scenarios"
ORLEANS = "45234"

# Read by hand in data/raw/reel/competences/competences_agglo-orleans.csv: the rows whose niveau is « communes » or
# « partagée » and whose note records the move of 1 January 2017 (« 1er janvier 2017 » / « transfert 2017 »).
CU_2017 = {
    "Eau potable", "Équipements culturels d'intérêt communautaire", "Équipements sportifs d'intérêt communautaire",
    "Plan local d'urbanisme", "Zones d'activité (totalité, au-delà de l'intérêt communautaire)",
    "Promotion du tourisme (office de tourisme)", "Commerce de proximité (accompagnement)",
    "Gestion des milieux aquatiques et prévention des inondations (GEMAPI)",
    "Voirie (totalité) et aires de stationnement", "Réhabilitation des logements insalubres",
    "Cimetières (création, extension ; gestion des cimetières d'intérêt métropolitain depuis mai 2017)",
    "Transition énergétique, réseaux de chaleur et de froid urbains",
    "Concession de la distribution publique d'électricité et de gaz",
}


@pytest.fixture(scope="module")
def donnees(donnees_construites):
    return charger_donnees(donnees_construites)


@pytest.fixture(scope="module")
def projections(donnees):
    out = {}
    for f in ("communaute-urbaine-2017", "pacte-financier-fiscal", "schema-mutualisation",
              "composition-conseil-2014"):
        sc = charger_scenario(SCENARIOS / f"{f}.yaml")
        out[f] = (projeter(sc, donnees), projeter(sc.sans_actions(), donnees))
    return out


def _v(res, ind, annee, entite):
    L = res.long
    s = L[(L.indicateur == ind) & (L.annee == annee) & (L.entite == entite)]["valeur"]
    assert len(s) == 1, (ind, annee, entite)
    return float(s.iloc[0])


# ---------------------------------------------------------------------------------------------------------------
# 1. change of category
# ---------------------------------------------------------------------------------------------------------------

def test_cu_2017_transfere_exactement_les_competences_constatees(projections):
    res, _ = projections["communaute-urbaine-2017"]
    transferts = {d["competence"].iloc[0] for k, d in res.details.items() if "transfert (communaute_urbaine)" in k}
    assert transferts == CU_2017
    liste = next(d for k, d in res.details.items() if "changement de catégorie" in k)
    assert set(liste["domaine"]) == CU_2017 and len(liste) == 13
    # the backtest against the law: every competence moved is either required on 1 January 2017 or moved early;
    # GEMAPI is required of a CU from 1 January 2018 only (loi n° 2014-58, art. 59 and loi n° 2015-991, art. 76)
    ctrl = next(d for k, d in res.details.items() if "changement de catégorie : contrôle" in k).set_index("domaine")
    assert set(ctrl.loc[ctrl.constate, "statut"]) <= {"requis_et_constate", "constate_anticipe", "constate_non_requis"}
    assert ctrl.loc["Gestion des milieux aquatiques et prévention des inondations (GEMAPI)", "statut"] == \
        "constate_anticipe"
    assert set(ctrl.index[ctrl.constate]) == CU_2017


def test_cu_2017_ac_et_dotation_de_la_categorie(projections):
    res, ref = projections["communaute-urbaine-2017"]
    # AC of each commune falls by the charges transferred of all 13 CLECT evaluations, the agglomeration's by the sum
    ch = pd.concat([d for k, d in res.details.items() if "transfert (communaute_urbaine)" in k])
    par_commune = ch.groupby("entite")["charges_transferees"].sum()
    for c in (ORLEANS, "45232"):
        assert _v(res, "attribution_compensation", 2017, c) == pytest.approx(
            _v(ref, "attribution_compensation", 2017, c) - par_commune[c])
        assert _v(res, "attribution_compensation", 2016, c) == pytest.approx(
            _v(ref, "attribution_compensation", 2016, c))
    # 2017: the dotation rests on the CIF of 2015 (décalage 2 years), the same with or without the change, so the
    # ratio is the per-inhabitant averages' (L5211-29 II): 60 € (CU) / 48,08 € (CA from 2017)
    assert _v(res, "dotation_intercommunalite", 2017, SIREN_AGGLO) / _v(
        ref, "dotation_intercommunalite", 2017, SIREN_AGGLO) == pytest.approx(60 / 48.08)
    assert _v(res, "dotation_intercommunalite", 2016, SIREN_AGGLO) == pytest.approx(
        _v(ref, "dotation_intercommunalite", 2016, SIREN_AGGLO))
    assert _v(res, "cif", 2017, SIREN_AGGLO) > _v(ref, "cif", 2017, SIREN_AGGLO)
    # seats from 2017 only, communes only
    s = res.long[res.long.indicateur == "sieges"]
    assert set(s.annee) == {2017, 2018, 2019, 2020} and set(s.entite) == set(CODES_INSEE)


# ---------------------------------------------------------------------------------------------------------------
# 2. pacte financier et fiscal
# ---------------------------------------------------------------------------------------------------------------

def test_fpic_droit_commun_a_la_main(projections):
    res, ref = projections["pacte-financier-fiscal"]
    b = res.base
    cif, M = float(b.cif), 2400.0
    # droit commun (L2336-3 II): EPCI = CIF × M; commune c = (1 − CIF) × M × pop_c × PF/hab_c / Σ pop × PF/hab,
    # and pop_c × (impôts_c / pop_c) = impôts_c: the shares are those of the taxes (PF proxy of the package)
    fisc = b.fiscalite[:IA]
    assert _v(res, "fpic", 2018, SIREN_AGGLO) == pytest.approx(-cif * M)
    assert _v(res, "fpic", 2018, ORLEANS) == pytest.approx(-(1 - cif) * M * fisc[IDX[ORLEANS]] / fisc.sum())
    assert _v(res, "fpic", 2014, BLOC) == pytest.approx(-1200.0)
    # paid from the charges: the agglomeration's other charges rise by its share
    assert _v(res, "autres_charges", 2018, SIREN_AGGLO) - _v(ref, "autres_charges", 2018, SIREN_AGGLO) == \
        pytest.approx(cif * M)
    rows = res.long[res.long.indicateur == "fpic"]
    assert len(rows) == 7 * 24  # 22 communes + agglomeration + bloc, 2014–2020


def test_dsc_criteres_a_la_main(projections):
    res, _ = projections["pacte-financier-fiscal"]
    b = res.base
    pop, fisc = b.population[:IA], b.fiscalite[:IA]
    # 50 % population + 50 % insufficiency of PF/hab (weight pop_c × x̄ / x_c, x_c = impôts_c / pop_c)
    xbar = fisc.sum() / pop.sum()
    w = pop * xbar / (fisc / pop)
    part = 0.5 * pop / pop.sum() + 0.5 * w / w.sum()
    i = IDX[ORLEANS]
    assert _v(res, "dsc", 2015, ORLEANS) == pytest.approx(4500 * part[i])
    assert _v(res, "dsc", 2020, SIREN_AGGLO) == pytest.approx(-4500)
    assert _v(res, "dsc", 2014, ORLEANS) == pytest.approx(b.dsc[i])


def test_revision_ac_redistribution_a_la_main(projections):
    res, ref = projections["pacte-financier-fiscal"]
    b = res.base
    pop, fisc, ac = b.population[:IA], b.fiscalite[:IA], b.ac[:IA]
    xbar = fisc.sum() / pop.sum()
    w = pop * xbar / (fisc / pop)
    s = 0.5 * pop / pop.sum() + 0.5 * w / w.sum()
    delta = 2000 * (s - ac / ac.sum())  # 1609 nonies C V 1° bis, zero-sum redistribution
    for c in (ORLEANS, "45302"):
        assert _v(res, "attribution_compensation", 2016, c) - _v(ref, "attribution_compensation", 2016, c) == \
            pytest.approx(delta[IDX[c]])
        assert _v(res, "attribution_compensation", 2015, c) == pytest.approx(
            _v(ref, "attribution_compensation", 2015, c))
    assert _v(res, "attribution_compensation", 2016, SIREN_AGGLO) == pytest.approx(
        _v(ref, "attribution_compensation", 2016, SIREN_AGGLO))
    d = next(t for k, t in res.details.items() if "révision des attributions" in k)
    assert d["majorite_conseil"].iloc[0] == "deux_tiers_conseil"  # loi n° 2014-1655 in force in 2016


# ---------------------------------------------------------------------------------------------------------------
# 3. schéma de mutualisation
# ---------------------------------------------------------------------------------------------------------------

def _variante(tmp_path, nom: str, modifier) -> Path:
    d = yaml.safe_load((SCENARIOS / f"{nom}.yaml").read_text(encoding="utf-8"))
    # the base must lie in the scenario's own folder (issue 15): copied beside the variant, with its own bases
    base = d["base"]
    while base:
        (tmp_path / base).write_text((SCENARIOS / base).read_text(encoding="utf-8"), encoding="utf-8")
        base = (yaml.safe_load((SCENARIOS / base).read_text(encoding="utf-8")) or {}).get("base")
    modifier(d)
    f = tmp_path / f"{nom}-variante.yaml"
    f.write_text(yaml.safe_dump(d, allow_unicode=True), encoding="utf-8")
    return f


def test_schema_alignement_regime_indemnitaire(donnees, projections, tmp_path):
    res, _ = projections["schema-mutualisation"]

    def sans_ri(d):
        for s in d["actions"][0]["services"]:
            s["alignement_ri_keur_an"] = 0
    r0 = projeter(charger_scenario(_variante(tmp_path, "schema-mutualisation", sans_ri)), donnees)
    # 2017: all four services exist (150 + 120 + 60 + 20 k€ a year); 2015: the first only
    for an, attendu in ((2015, 150.0), (2016, 330.0), (2017, 350.0)):
        assert _v(res, "autres_charges", an, SIREN_AGGLO) - _v(r0, "autres_charges", an, SIREN_AGGLO) == \
            pytest.approx(attendu)
    services = [k for k in res.details if "service commun du schéma" in k]
    assert len(services) == 4
    assert _v(res, "etp", 2017, SIREN_AGGLO) > _v(r0, "etp", 2014, SIREN_AGGLO)
    # coefficient de mutualisation (L5211-4-1 V) by hand on the collection table of 2013: the agglomeration's cost
    # of the support functions, then plus the members' cost of the functions they pool, over the total
    fs = donnees.fonctions_support
    fs = fs[fs.an == 2013].assign(entite=lambda x: x.entite.astype(str))
    membres = {s["nom"]: (set(CODES_INSEE) if s["communes"] == "toutes" else set(s["communes"]),
                          set(s["fonctions_support"]))
               for s in yaml.safe_load((SCENARIOS / "schema-mutualisation.yaml").read_text(encoding="utf-8"))[
                   "actions"][0]["services"]}
    pooled = fs[[any(e in m and f in fn for m, fn in membres.values()) for e, f in zip(fs.entite, fs.fonction_support)]]
    total, agglo = fs.cout.sum(), fs[fs.entite == SIREN_AGGLO].cout.sum()
    t = next(d for k, d in res.details.items() if k.endswith("schéma de mutualisation"))
    assert t["coefficient_mutualisation_avant"].iloc[0] == pytest.approx(agglo / total)
    assert t["coefficient_mutualisation_apres"].iloc[0] == pytest.approx((agglo + pooled.cout.sum()) / total)
    assert not t["pris_en_compte_dgf"].iloc[0]


# ---------------------------------------------------------------------------------------------------------------
# 4. council composition
# ---------------------------------------------------------------------------------------------------------------

def test_conseil_2014_dans_le_moteur(projections):
    res, _ = projections["composition-conseil-2014"]
    s = res.long[res.long.indicateur == "sieges"]
    assert set(s.entite) == set(CODES_INSEE) and set(s.annee) == set(range(2014, 2021))
    s14 = s[s.annee == 2014].set_index("entite")["valeur"]
    # 271 543 inhabitants (table « populations », 2010) → 72 seats (III: 250 000 to 349 999); the communes under
    # the quota 271 543 / 72 = 3 771 get no seat at the highest average and one seat de droit (IV 2°): Boigny (2 128),
    # Bou (858), Chanteau (1 333), Combleux (470), Mardié (2 532), Marigny (1 223), Saint-Cyr (3 147),
    # Saint-Hilaire (2 843), Semoy (3 062): 9 seats, below 30 % of 72 so no V → 81 seats
    assert s14.sum() == 81
    for c in ("45034", "45043", "45072", "45100", "45194", "45197", "45272", "45282", "45308"):
        assert s14[c] == 1
    assert s14[ORLEANS] <= 81 / 2
    # majorities with this composition when all but Orléans vote for: 81 − 34 = 47 seats < 54 (two thirds of 81);
    # concordant votes of L5211-5 II need Orléans (42 % > a quarter of the population); the 2013 accord local
    # (two thirds of the councils, 21 of 22, with half the population, 157 756 of 271 543) does not
    m = next(t for k, t in res.details.items() if "majorités" in k).set_index("regle")["adoptee_sans_ville_centre"]
    assert not m["deux_tiers_conseil"] and not m["changement_categorie"] and m["accord_local"]


def test_accord_local_invalide_refuse():
    pops = pd.Series([60000, 25000, 10000, 4000, 1000], index=list("ABCDE"))
    # loi n° 2015-264 (I 2° e): each commune's share of the seats within 20 % of its population share; E holds
    # 1 % of the population and would get 5 of 20 seats (25 %), 25 times its share: the accord is refused
    with pytest.raises(ErreurDonnees, match="accord local invalide"):
        repartition_sieges(pops, "2015-06-01", "communaute_agglomeration",
                           accord={"A": 10, "B": 2, "C": 2, "D": 1, "E": 5})


# ---------------------------------------------------------------------------------------------------------------
# schema and results
# ---------------------------------------------------------------------------------------------------------------

def test_schema_refus(donnees_construites, tmp_path):
    def casser(d):
        d["actions"][0]["criteres"] = {"population": 0.5, "insuffisance_potentiel_financier": 0.4}
        d["actions"][2]["montants_keur"][2013] = 100
    with pytest.raises(ErreurScenario) as exc:
        charger_scenario(_variante(tmp_path, "pacte-financier-fiscal", casser))
    msg = str(exc.value)
    assert "actions[0].criteres" in msg and "somme des pondérations" in msg
    assert "actions[2].montants_keur.2013" in msg


def test_04_egale_resultats_csv(donnees_construites, tmp_path, projections):
    from orleans_gov.cli import main
    from orleans_gov.restitution import scenarios as rs
    for f in ("pacte-financier-fiscal", "communaute-urbaine-2017", "composition-conseil-2014"):
        assert main(["scenario", str(SCENARIOS / f"{f}.yaml"), "--sortie", str(tmp_path / f),
                     "--dossier-donnees", str(donnees_construites)]) == 0
        csv = pd.read_csv(tmp_path / f / "resultats.csv", dtype={"entite": str})
        # the projection of every entity (the agglomeration's budgets annexes and principal are other rows)
        commune = csv.entite.isin(CODES_INSEE)
        csv = csv[(commune & (csv.budget == PRINCIPAL)) | (~commune & (csv.budget == CONSOLIDE))]
        for ind, entites in (("sieges", set(CODES_INSEE)), ("fpic", set(ENTITES) | {BLOC})):
            if ind in set(csv.indicateur):
                assert set(csv.loc[csv.indicateur == ind, "entite"]) == entites
        res, ref = projections[f]
        an = res.scenario.fin
        c = csv[csv.annee == an].pivot(index="entite", columns="indicateur", values="valeur")
        g = rs.gains_entites(res, ref).set_index("entite")
        assert np.allclose(g["epargne_brute_scenario"], c.loc[list(ENTITES), "epargne_brute"], atol=1e-6)
        gi = rs.indicateurs_gouvernance(res).set_index("entite")
        for ind in ("attribution_compensation", "dsc", "fpic", "sieges"):
            attendu = c[ind].reindex(list(ENTITES)) if ind in c else pd.Series(np.nan, index=list(ENTITES))
            assert np.allclose(gi[ind], attendu, atol=1e-6, equal_nan=True), (f, ind)
        a = rs.agglomeration(res, ref).set_index("annee")
        ca = csv[csv.entite == SIREN_AGGLO].pivot(index="annee", columns="indicateur", values="valeur")
        for ind in ("dgf", "dotation_intercommunalite", "cif"):
            assert np.allclose(a[f"{ind}_scenario"], ca[ind].reindex(a.index), atol=1e-6)
        # taxpayers' side: only the rate decisions (+ 2 % of the agglomeration's product from 2015 in the pacte)
        ct = rs.contribuables(res, ref)
        if f == "pacte-financier-fiscal":
            assert list(ct.entite) == [SIREN_AGGLO]
            assert ct.ecart_fiscalite.iloc[0] == pytest.approx(c.loc[SIREN_AGGLO, "fiscalite"] * (1 - 1 / 1.02))
        else:
            assert ct.empty
        syn = rs.synthese({res.scenario.nom: res}, {res.scenario.nom: ref}).iloc[0]
        assert syn["cif"] == pytest.approx(c.loc[SIREN_AGGLO, "cif"], abs=1e-6)
        assert syn["gain_agglo_keur"] == pytest.approx(g.loc[SIREN_AGGLO, "gain_keur"])
