"""The governance actions (issue 12) in the scenario pages: one line per action for « Ce qui change », the detail
table of each (seats and weights, DSC and AC per commune, FPIC split, competences transferred, the schéma), and
the legal conditions of each action (article, majority, dates)."""
from __future__ import annotations

import pandas as pd

from orleans_gov.base.territoire import nom_entite
from orleans_gov.restitution.formats import fmt_keur, fmt_pct
from orleans_gov.restitution.tableaux import termes_en_colonnes
from orleans_gov.restitution.textes import compte
from orleans_gov.scenarios.schema import (ChangementCategorie, CompositionConseil, DscCriteres, FpicRepartition,
                                          RevisionAttributions, SchemaMutualisation)

GOUVERNANCE: tuple[str, ...] = ()
MARQUEURS_GOUVERNANCE = ("majorités avec la composition", "révision des attributions", "DSC par critères", "DSC : contrôles", "FPIC",
                         "changement de catégorie", "composition du conseil", "schéma de mutualisation")
"""Markers of the detail tables the governance actions write (:mod:`orleans_gov.scenarios.actions`)."""

CATEGORIES = {"communaute_agglomeration": "communauté d'agglomération", "communaute_urbaine": "communauté urbaine",
              "metropole": "métropole"}

CONDITIONS = {
    ChangementCategorie: ("art. L.5215-1 et L.5211-41 CGCT (CU), L.5217-1 (métropole)",
                          "délibérations concordantes du conseil communautaire et des conseils municipaux à la "
                          "majorité qualifiée de la création (deux tiers des conseils représentant la moitié de la "
                          "population, ou l'inverse), décret ou arrêté préfectoral"),
    RevisionAttributions: ("art. 1609 nonies C V 1° bis CGI", ""),
    DscCriteres: ("art. 1609 nonies C VI CGI", ""),
    FpicRepartition: ("art. L.2336-3 et L.2336-5 CGCT", ""),
    SchemaMutualisation: ("art. L.5211-39-1 et L.5211-4-2 CGCT", "rapport et projet de schéma dans l'année qui suit "
                          "le renouvellement, avis des conseils municipaux (trois mois), approbation du conseil "
                          "communautaire ; conventions de service commun"),
    CompositionConseil: ("art. L.5211-6-1 CGCT", "droit commun : arrêté préfectoral ; accord local : deux tiers des "
                         "conseils municipaux représentant la moitié de la population (ou l'inverse), avant le "
                         "31 août de l'année précédant le renouvellement"),
}
"""Article and majority of each governance action (the AC and FPIC majorities are read from the details: they
changed during the mandate)."""


def _criteres(c: dict[str, float]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {fmt_pct(v, 0)}" for k, v in c.items())


def lignes_actions_gouvernance(a) -> list[dict]:
    """« Ce qui change » lines of a governance action (empty for another type)."""
    if isinstance(a, ChangementCategorie):
        comp = "compétences constatées à la date dans la table des compétences" if a.competences == "constatees" \
            else f"{len(a.competences)} compétences"
        return [{"action": f"Changement de catégorie ({a.date.isoformat()})", "objet_action": CATEGORIES[a.categorie],
                 "detail_action": f"{comp} ; part de fonction {fmt_pct(a.part_fonction, 0)} par défaut ; CLECT : "
                                  f"moyenne sur {compte(a.clect.annees_moyenne, 'an', feminin=False)} ; "
                                  f"dotation de la catégorie : "
                                  f"{'oui' if a.dotation_categorie else 'non'}"}]
    if isinstance(a, RevisionAttributions):
        return [{"action": f"Révision libre des AC ({a.annee})", "objet_action": f"{fmt_keur(a.montant_keur)} par an",
                 "detail_action": f"mode « {a.mode.replace('_', ' ')} » ; critères : {_criteres(a.criteres) or '—'}"}]
    if isinstance(a, DscCriteres):
        return [{"action": f"DSC par critères ({a.annee})", "objet_action": f"{fmt_keur(a.enveloppe_keur)} par an",
                 "detail_action": f"critères : {_criteres(a.criteres)} ; indexation {fmt_pct(a.indexation, 1)}"}]
    if isinstance(a, FpicRepartition):
        ans = sorted(a.montants_keur)
        return [{"action": f"FPIC ({ans[0]}–{ans[-1]})", "objet_action": "prélèvement" if a.sens == "prelevement"
                 else "reversement", "detail_action": f"répartition « {a.mode.replace('_', ' ')} » ; "
                 f"{fmt_keur(sum(a.montants_keur.values()))} sur la période (montants du scénario)"}]
    if isinstance(a, SchemaMutualisation):
        return [{"action": f"Schéma de mutualisation ({a.annee})", "objet_action": s.nom,
                 "detail_action": f"{compte(len(s.communes), 'commune')} ; clé « {s.cle_repartition} » ; financement "
                                  f"« {s.financement.replace('_', ' ')} » ; {s.economies_etp:g} ETP économisés à partir "
                                  f"de {s.economies_a_partir_de} ; régime indemnitaire {fmt_keur(s.alignement_ri_keur_an)}"
                                  f" par an"} for s in a.services]
    if isinstance(a, CompositionConseil):
        qui = "accord local" if a.accord_local else "droit commun"
        return [{"action": f"Composition du conseil ({a.annee})", "objet_action": CATEGORIES[a.categorie],
                 "detail_action": f"{qui} ; règles au {(a.date_regles or a.date).isoformat()} ; populations "
                                  f"{a.annee_populations or a.annee - 3}"}]
    return []


NOMS_ACTIONS = {ChangementCategorie: "Changement de catégorie", RevisionAttributions: "Révision libre des AC",
                DscCriteres: "DSC par critères", FpicRepartition: "Répartition du FPIC",
                SchemaMutualisation: "Schéma de mutualisation", CompositionConseil: "Composition du conseil"}


def _majorite_des_details(res, k: int, a) -> str:
    """The majority in force at the action's date, as the engine read it (free AC revision, FPIC)."""
    for cle, d in res.details.items():
        if not cle.startswith(f"actions[{k}] "):
            continue
        if isinstance(a, RevisionAttributions) and "conditions" in d:
            qui = {"toutes": "et conseils municipaux de toutes les communes",
                   "interessees": "et conseils municipaux des communes intéressées"}.get(d["conseils_municipaux"].iloc[0],
                                                                                       "")
            return f"{d['majorite_conseil'].iloc[0].replace('_', ' ')} {qui} — {d['conditions'].iloc[0]}"
        if isinstance(a, DscCriteres) and "majorite" in d:
            return f"{d['majorite'].iloc[0].replace('_', ' ')} — {d['conditions'].iloc[0]}"
        if isinstance(a, FpicRepartition) and "majorites" in d:
            return f"{d['majorites'].iloc[0].replace('_', ' ')} — {d['conditions'].iloc[0]}"
    return ""


def conditions_legales(res) -> pd.DataFrame:
    """One line per governance action of the scenario: the action, its date, its legal basis and the majority
    (for the free AC revision and the FPIC, the version in force at the date, from the engine's details)."""
    lignes = []
    for k, a in enumerate(res.scenario.actions):
        if type(a) in CONDITIONS:
            art, maj = CONDITIONS[type(a)]
            lignes.append({"Action": NOMS_ACTIONS[type(a)], "Date": a.date.isoformat(), "Base légale": art,
                           "Majorité et procédure": maj or _majorite_des_details(res, k, a)})
    return pd.DataFrame(lignes, columns=["Action", "Date", "Base légale", "Majorité et procédure"])


STATUTS_CONTROLE = {
    "requis_et_constate": "exigée et transférée", "constate_anticipe": "transférée avant la date où la loi l'exige",
    "constate_non_requis": "transférée sans être exigée", "requis_non_constate": "exigée, non transférée",
    "requis_absent_de_la_table": "exigée, absente de la table des compétences",
    "requis_deja_detenu": "exigée, déjà détenue", "requis_detenu_a_confirmer": "exigée, détenue (à confirmer)",
}
"""Statuses of :func:`orleans_gov.scenarios.gouvernance.comparer_transferts`, in French."""

COLONNES = {
    "composition du conseil": ["commune", "sieges", "part_sieges", "population", "part_population",
                               "ratio_representation"],
    "révision des attributions": ["commune", "ac_avant", "part", "montant_deplace", "ac_apres"],
    "DSC par critères": ["commune", "dsc_reference", "part", "montant"],
    "FPIC": ["annee", "commune", "fpic_droit_commun", "fpic_montant", "part_epci"],
}


def details_gouvernance(cle: str, d: pd.DataFrame) -> tuple[str, pd.DataFrame, dict] | None:
    """(title, table, formats) of a governance detail table, or None for the tables shown elsewhere."""
    for marque, cols in COLONNES.items():
        if marque in cle:
            d = d.rename(columns={"droit_commun": "fpic_droit_commun", "montant": "fpic_montant"}) if marque == "FPIC" \
                else d.rename(columns={"ratio": "ratio_representation"})
            t = d[[c for c in cols if c in d.columns]].copy()
            titres = {"composition du conseil": lambda: f"Sièges et poids au conseil — {d['regle'].iloc[0]}",
                      "révision des attributions": lambda: (f"Révision libre des attributions de compensation "
                                                            f"({d['annee'].iloc[0]}) — {d['conditions'].iloc[0]}"),
                      "DSC par critères": lambda: f"DSC par critères ({d['annee'].iloc[0]})",
                      "FPIC": lambda: f"Répartition du FPIC — majorités : {d['majorites'].iloc[0]}"}
            titre = titres[marque]()
            t = t.rename(columns={"part": "part_cle_repartition"})
            t, formats = termes_en_colonnes(t, fractions=["part_cle_repartition", "part_sieges", "part_population"])
            return titre, t, formats
    if "majorités avec la composition" in cle:
        t = d[["regle", "reference", "adoptee_sans_ville_centre", "sieges_ville_centre", "sieges_total"]].copy()
        t["adoptee_sans_ville_centre"] = t["adoptee_sans_ville_centre"].map({True: "oui", False: "non"})
        t = t.rename(columns={"regle": "Décision", "reference": "Base légale",
                              "adoptee_sans_ville_centre": "Adoptée sans la ville-centre",
                              "sieges_ville_centre": "Sièges de la ville-centre", "sieges_total": "Sièges au total"})
        return ("Majorités des autres options avec cette composition : la décision passe-t-elle si toutes les "
                "communes votent pour sauf la plus peuplée ?", t, {})
    if "changement de catégorie : contrôle" in cle:
        t = d[["domaine", "statut", "article"]].copy()
        t["statut"] = t["statut"].map(STATUTS_CONTROLE).fillna(t["statut"])
        return ("Contrôle : compétences exigées par la loi à la date et compétences enregistrées comme transférées",
                t, {})
    if "changement de catégorie" in cle:
        t = d[["domaine", "fonction_m14", "niveau", "indice"]].copy()
        return "Compétences transférées par le changement de catégorie (table des compétences)", t, {}
    if "schéma de mutualisation : état des lieux" in cle:
        # one row per entity, one column per support function (named with its proposed shared service): 23
        # entities as columns do not fit an A4 page, even landscape (print width test)
        t = d.assign(commune=[nom_entite(e) for e in d["entite"]],
                     fonction=[f if pd.isna(s) else f"{f} (service commun : {s})"
                               for f, s in zip(d["fonction_support"], d["service"])])
        t = t.pivot_table(index="commune", columns="fonction", values="etp", aggfunc="sum", sort=False)
        t.columns.name = None
        t = t.reset_index().rename(columns={"commune": "Entité"})
        return "État des lieux des fonctions support (ETP par entité, classeurs de collecte) et mutualisation " \
               "proposée", t, {}
    if "schéma de mutualisation" in cle:
        cols = [c for c in ("service", "date", "communes", "financement", "cle_repartition", "economies_etp",
                            "alignement_ri_keur_an", "date_limite_rapport", "approbation",
                            "coefficient_mutualisation_avant", "coefficient_mutualisation_apres") if c in d.columns]
        return "Schéma de mutualisation — services communs et calendrier (art. L.5211-39-1)", d[cols].copy(), {}
    return None
