"""Tables of the scenario notebook (03) and of the fiche's scenario section: assumptions, actions, CLECT details,
indicators by entity, effects against the counterfactual, CIF, comparison of the scenarios.

Columns are vocabulary names or headers built from them (:func:`orleans_gov.restitution.textes.entete_annee`); the
formats come from the vocabulary units. The engine's results are read as :class:`orleans_gov.scenarios.Resultat`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from orleans_gov.base import vocabulaire
from orleans_gov.base.territoire import CODES_INSEE, ENTITES, SIREN_AGGLO, nom_entite
from orleans_gov.restitution.formats import fmt_keur, fmt_nombre, fmt_pct, fmt_unite
from orleans_gov.restitution.scenarios.commun import Lecture, lecture, nom
from orleans_gov.restitution.scenarios.gouvernance import (GOUVERNANCE, MARQUEURS_GOUVERNANCE, details_gouvernance,
                                                           lignes_actions_gouvernance)
from orleans_gov.restitution.tableaux import format_terme, termes_en_colonnes
from orleans_gov.restitution.textes import compte, dans_phrase, entete_annee
from orleans_gov.scenarios import BLOC, Resultat, comparer
from orleans_gov.scenarios.schema import PacteFinancier, Scenario, ServiceCommun, Transfert

ENTETE_ENTITE = vocabulaire.libelle("entite")


def fmt_annees(x) -> str:
    """A number of years (capacité de désendettement), « non calculable » when missing (épargne brute ≤ 0)."""
    return "non calculable" if pd.isna(x) else fmt_unite(x, "années")


def formats_termes(termes: dict[str, str], decimales: dict[str, int] | None = None) -> dict:
    """Table formats of headers built from vocabulary terms (``{header: term}``), years read as « non calculable »
    when missing."""
    decimales = decimales or {}
    return {h: (fmt_annees if vocabulaire.unite(t) == "années" else format_terme(t, decimales.get(t)))
            for h, t in termes.items()}


def tableau_hypotheses(sc: Scenario) -> pd.DataFrame:
    """The assumptions of a scenario, one line each, in French."""
    h = sc.hypotheses
    lignes = []
    precisions = {"fiscalite": " (bases, taux constants)"}
    for niv, lib_niv in (("communes", "communes"), ("agglomeration", "agglomération")):
        for f in ("fiscalite", "dgf", "autres_recettes", "personnel", "autres_charges"):
            lib = vocabulaire.libelle(f) + precisions.get(f, "")
            taux = h.croissance[niv][f]
            valeurs = sorted(set(taux.values()))
            texte = (fmt_pct(valeurs[0], 1) + " par an" if len(valeurs) == 1 else
                     " ; ".join(f"{a} : {fmt_pct(t, 1)}" for a, t in taux.items()))
            lignes.append({"hypothese": f"{lib} — {lib_niv}", "valeur_hypothese": texte})
    di = h.dotation_intercommunalite
    lignes += [
        {"hypothese": vocabulaire.libelle("dsc_reference"), "valeur_hypothese": f"{fmt_pct(h.croissance_dsc, 1)} par an"},
        {"hypothese": "Emprunts nouveaux", "valeur_hypothese": f"taux {fmt_pct(h.emprunts.taux_interet, 2)}, "
                                                      f"{h.emprunts.duree_annees} ans, amortissement linéaire"},
        {"hypothese": "Programme d'équipement", "valeur_hypothese":
            f"niveau {sc.annee_reference}, évolution communes {fmt_pct(h.investissement.croissance['communes'], 1)}, "
            f"agglomération {fmt_pct(h.investissement.croissance['agglomeration'], 1)} par an"
            + (f" ; programme explicite pour {compte(len(h.investissement.programme), 'entité')}"
               if h.investissement.programme else "")},
        {"hypothese": vocabulaire.libelle("recettes_investissement"), "valeur_hypothese":
            ("subventions : part de l'équipement observée en " + str(sc.annee_reference)
             if h.investissement.recettes_pct["communes"] is None else
             f"subventions : {fmt_pct(h.investissement.recettes_pct['communes'], 0)} (communes), "
             f"{fmt_pct(h.investissement.recettes_pct['agglomeration'] or 0, 0)} (agglomération)")
            + " ; FCTVA au taux de la date de la dépense, reçu N+2 (communes) ou N (agglomération), "
              "art. L.1615-6 CGCT"},
        {"hypothese": vocabulaire.libelle("levier"), "valeur_hypothese":
            vocabulaire.libelle("levier_" + h.equilibre.levier)},
        {"hypothese": vocabulaire.libelle("cout_par_etp"), "valeur_hypothese": fmt_keur(h.cout_moyen_etp_keur)},
        {"hypothese": vocabulaire.libelle("dotation_intercommunalite") + " (règle simplifiée)", "valeur_hypothese":
            f"{fmt_nombre(di.valeur_point_eur_hab)} €/hab. × CIF / {fmt_nombre(di.cif_moyen_categorie, 2)} "
            f"(CIF moyen des communautés d'agglomération), CIF constaté "
            f"{compte(di.decalage_annees, 'an', feminin=False)} plus tôt"},
        {"hypothese": "CIF : part de la DSC déduite", "valeur_hypothese": fmt_pct(di.part_dsc_cif, 0)
         + " (art. L.5211-30 CGCT, rédaction LFI 2005)"},
    ]
    return pd.DataFrame(lignes)


def tableau_actions(sc: Scenario) -> pd.DataFrame:
    """One line per action: what moves, from when."""
    lignes = []
    for i, a in enumerate(sc.actions):
        if isinstance(a, Transfert):
            communes = "les 22 communes" if len(a.communes) == 22 else ", ".join(nom_entite(c) for c in a.communes)
            lignes.append({"action": f"Transfert de compétence ({a.annee})", "objet_action": a.competence,
                           "detail_action": f"{communes} → agglomération ; fonction M14 {a.fonction_m14} ; CLECT : "
                                     f"moyenne sur {compte(a.annees_moyenne, 'an', feminin=False)}, équipement « {a.methode_equipement} », "
                                     f"recettes liées {fmt_pct(a.recettes_liees_pct, 0)} ; personnel "
                                     f"{fmt_pct(a.part_personnel, 0)} du coût"})
        elif isinstance(a, ServiceCommun):
            origine = (f"fonctions {', '.join(a.fonctions_support)} (classeurs de collecte)" if a.fonctions_support
                       else "part de la fonction M14 0")
            lignes.append({"action": f"Service commun ({a.annee})", "objet_action": a.nom,
                           "detail_action": f"{origine} ; agglomération + {compte(len(a.communes), 'commune')} : "
                                     f"{', '.join(nom_entite(c) for c in a.communes)} ; clé « {a.cle_repartition} » ; "
                                     f"financement « {a.financement.replace('_', ' ')} » ; économies "
                                     f"{fmt_nombre(a.economies_etp, 1)} ETP à partir de {a.economies_a_partir_de}"})
        elif isinstance(a, PacteFinancier):
            morceaux = []
            if a.dsc_montant_keur is not None:
                crit = ", ".join(f"{k.replace('_', ' ')} {fmt_pct(v, 0)}" for k, v in a.criteres.items())
                morceaux.append(f"DSC {fmt_keur(a.dsc_montant_keur)} par an ({crit})")
            for t in a.taux:
                qui = "communes" if len(t.entites) == 22 else ", ".join(nom(e) for e in t.entites)
                morceaux.append(f"taux {qui} {fmt_pct(t.variation, 1)} en {t.annee}")
            lignes.append({"action": f"Pacte financier ({a.annee})", "objet_action": "Pacte financier et fiscal",
                           "detail_action": " ; ".join(morceaux)})
        else:
            lignes += lignes_actions_gouvernance(a)
    return pd.DataFrame(lignes, columns=["action", "objet_action", "detail_action"])


def _termes_entites(annees: list[int]) -> dict[str, str]:
    return {entete_annee(t, a): t for a in annees
            for t in ("epargne_brute", "taux_epargne_brute", "encours_dette", "capacite_desendettement")}


def tableau_entites(res: Resultat, annees: list[int]) -> pd.DataFrame:
    """Key indicators per entity for the given years (k€, %, years)."""
    lec = lecture(res.long, "valeur")
    lignes = []
    for e in list(ENTITES) + [BLOC]:
        ligne = {ENTETE_ENTITE: nom(e)}
        for a in annees:
            for t in ("epargne_brute", "taux_epargne_brute", "encours_dette", "capacite_desendettement"):
                ligne[entete_annee(t, a)] = lec.un(e, t, a)
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def formats_entites(annees: list[int]) -> dict:
    return formats_termes(_termes_entites(annees))


def colonnes_effets(sc: Scenario) -> dict[str, tuple[str, str]]:
    """Headers of :func:`tableau_effets_communes` for scenario ``sc``: key → (header, vocabulary term)."""
    premiere = min((a.annee for a in sc.actions), default=sc.debut)
    return {
        "ac": (entete_annee("attribution_compensation", sc.fin), "attribution_compensation"),
        "d_ac": (entete_annee("attribution_compensation", sc.fin, "Δ "), "attribution_compensation"),
        "d_eb_premiere": (entete_annee("epargne_brute", premiere, "Δ "), "epargne_brute"),
        "d_eb_fin": (entete_annee("epargne_brute", sc.fin, "Δ "), "epargne_brute"),
        "d_en_cumul": (entete_annee("epargne_nette_cumulee", f"{sc.debut}–{sc.fin}", "Δ "), "epargne_nette_cumulee"),
        "d_encours": (entete_annee("encours_dette", sc.fin, "Δ "), "encours_dette"),
        "d_position": (entete_annee("position_financiere_nette", sc.fin, "Δ "), "position_financiere_nette"),
        "d_etp": (entete_annee("etp", sc.fin, "Δ "), "etp"),
    }


def tableau_effets_communes(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """Effect of a scenario per commune and for the agglomeration and the bloc: AC, épargne brute (first year
    of effect and end of horizon), épargne nette cumulée, encours at the end, net financial position, FTE
    (headers: :func:`colonnes_effets`)."""
    sc = res.scenario
    ec = comparer(res, ref)
    horizon = list(range(sc.debut, sc.fin + 1))
    premiere = min((a.annee for a in sc.actions), default=sc.debut)
    h = {k: v[0] for k, v in colonnes_effets(sc).items()}
    le, lr = Lecture(ec, "ecart"), lecture(res.long, "valeur")
    lignes = []
    for e in list(ENTITES) + [BLOC]:
        lignes.append({
            ENTETE_ENTITE: nom(e),
            h["ac"]: lr.somme(e, "attribution_compensation", [sc.fin]) if e != BLOC else np.nan,
            h["d_ac"]: le.un(e, "attribution_compensation", sc.fin) if e != BLOC else np.nan,
            h["d_eb_premiere"]: le.un(e, "epargne_brute", premiere),
            h["d_eb_fin"]: le.un(e, "epargne_brute", sc.fin),
            h["d_en_cumul"]: le.somme(e, "epargne_nette", horizon),
            h["d_encours"]: le.un(e, "encours_dette", sc.fin),
            h["d_position"]: position_nette(le, e, sc),
            h["d_etp"]: le.un(e, "etp", sc.fin),
        })
    return pd.DataFrame(lignes)


def position_nette(ecarts: pd.DataFrame | Lecture, entite: str | list[str], sc: Scenario) -> float:
    """Δ net financial position at the end of the horizon = − Δ encours de dette + Σ Δ excédents affectés au
    fonds de roulement (k€). Positive = the entity ends richer (less debt or more reserves) than without action:
    the right measure when a transfer moves investment as well as operating costs. ``ecarts``: the frame of
    :func:`~orleans_gov.scenarios.comparer` or its :class:`~.commun.Lecture` of column ``ecart``."""
    lec = ecarts if isinstance(ecarts, Lecture) else Lecture(ecarts, "ecart")
    dette = lec.somme(entite, "encours_dette", [sc.fin])
    fr = lec.somme(entite, "variation_fonds_roulement", range(sc.debut, sc.fin + 1))
    return -dette + fr


def formats_effets(sc: Scenario) -> dict:
    return formats_termes(dict(colonnes_effets(sc).values()))


LIGNES_AGGLO_ANNUEL = ((SIREN_AGGLO, "recettes_reelles_fonctionnement"), (SIREN_AGGLO, "depenses_reelles_fonctionnement"),
                       (SIREN_AGGLO, "epargne_brute"), (SIREN_AGGLO, "emprunt"),
                       (SIREN_AGGLO, "dotation_intercommunalite"), ("communes", "epargne_brute"),
                       (BLOC, "epargne_nette"), (BLOC, "encours_dette"))
QUI = {SIREN_AGGLO: "Agglomération", "communes": "Communes (22)", BLOC: "Bloc communal"}


def tableau_agglo_annuel(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """Year-by-year differences for the agglomeration, the communes and the bloc (k€)."""
    sc = res.scenario
    ec = comparer(res, ref)
    ec = ec[ec.indicateur.isin({i for _e, i in LIGNES_AGGLO_ANNUEL})]   # same rows, same order, fewer to filter
    annees = list(range(sc.debut, sc.fin + 1))
    lignes = []
    for e, ind in LIGNES_AGGLO_ANNUEL:
        if e == "communes":
            d = ec[ec.entite.isin(CODES_INSEE) & (ec.indicateur == ind)].groupby("annee")["ecart"].sum()
        else:
            d = ec[(ec.entite == e) & (ec.indicateur == ind)].set_index("annee")["ecart"]
        lib = f"{QUI[e]} — Δ {dans_phrase(ind)} ({vocabulaire.unite(ind)})"
        lignes.append({vocabulaire.libelle("indicateur"): lib, **{str(a): d.get(a, np.nan) for a in annees}})
    return pd.DataFrame(lignes)


def tableau_cif(res: Resultat, ref: Resultat) -> pd.DataFrame:
    """CIF and dotation d'intercommunalité of the agglomeration, scenario and without action, by year."""
    sc = res.scenario
    annees = list(range(sc.annee_reference, sc.fin + 1))
    lignes = []
    for ind, lib in (("cif", vocabulaire.libelle("cif")),
                     ("dotation_intercommunalite", vocabulaire.entete("dotation_intercommunalite"))):
        for nom_l, r in (("scénario", res), ("sans action", ref)):
            d = r.long[(r.long.entite == SIREN_AGGLO) & (r.long.indicateur == ind)].set_index("annee")["valeur"]
            lignes.append({vocabulaire.libelle("indicateur"): f"{lib} — {nom_l}",
                           **{str(a): d.get(a, np.nan) for a in annees}})
    return pd.DataFrame(lignes)


def formats_cif(df: pd.DataFrame) -> dict:
    """CIF rows (a coefficient, below 1.5) with 3 decimals, dotation rows (k€) without."""
    def f(x):
        return fmt_nombre(x, 3) if pd.notna(x) and abs(x) < 1.5 else fmt_nombre(x)
    return {c: f for c in df.columns[1:]}


def formats_agglo_annuel(df: pd.DataFrame) -> dict:
    return {c: "nombre" for c in df.columns[1:]}


COMPARAISON: dict[str, tuple[str, str]] = {
    # column of scenarios.synthese_comparaison: (vocabulary term, what it covers)
    "epargne_nette_cumulee_bloc": ("epargne_nette_cumulee", "bloc"),
    "epargne_nette_cumulee_communes": ("epargne_nette_cumulee", "communes"),
    "epargne_nette_cumulee_agglo": ("epargne_nette_cumulee", "agglomération"),
    "emprunts_cumules_bloc": ("emprunts_cumules", "bloc"),
    "encours_fin_bloc": ("encours_dette", "bloc, fin d'horizon"),
    "capacite_desendettement_fin_bloc": ("capacite_desendettement", "bloc, fin d'horizon"),
    "capacite_desendettement_fin_agglo": ("capacite_desendettement", "agglomération, fin d'horizon"),
    "cif_fin": ("cif", "fin d'horizon"),
    "dotation_intercommunalite_fin": ("dotation_intercommunalite", "fin d'horizon"),
    "etp_agglo_fin": ("etp", "agglomération, fin d'horizon"),
    "etp_bloc_fin": ("etp", "bloc, fin d'horizon"),
}


def tableau_comparaison_transpose(synthese: pd.DataFrame) -> pd.DataFrame:
    """Indicators in rows, scenarios in columns, values written in French (each row in its own unit).
    Input: :func:`orleans_gov.scenarios.synthese_comparaison`."""
    t = synthese.set_index("scenario")
    formats = {c: fmt_annees if vocabulaire.unite(n) == "années" else
               (lambda x, u=vocabulaire.unite(n): fmt_unite(x, u, 0 if u == "ETP" else None))
               for c, (n, _q) in COMPARAISON.items()}
    out = pd.DataFrame({sc_nom: [formats[c](t.at[sc_nom, c]) for c in COMPARAISON] for sc_nom in t.index},
                       index=pd.Index([f"{vocabulaire.libelle(n)} — {q} ({vocabulaire.unite(n)})"
                                       for n, q in COMPARAISON.values()], name=vocabulaire.libelle("indicateur")))
    out.columns.name = None
    return out


DETAILS = {
    "transfert": ["commune", "annees_reference", "cout_moyen_fonctionnement", "cout_annualise_equipement",
                  "recettes_liees", "recettes_investissement_deduites", "charges_transferees", "ac_avant", "ac_apres",
                  "personnel_transfere", "etp_transferes"],
    "service": ["entite_nom", "cout_fonction_annee_reference", "etp_mis_en_commun", "part",
                "contribution_premiere_annee", "contribution_fin_horizon"],
    "pacte": ["commune", "dsc_reference", "part", "dsc_pacte_premiere_annee"],
}
"""Columns of the detail table of each kind of action (engine's ``Resultat.details``)."""


def tableaux_details(res: Resultat) -> list[tuple[str, pd.DataFrame, dict]]:
    """The detail table of each action (CLECT evaluation, service commun keys, DSC distribution) with a total line:
    (title, table, formats)."""
    out = []
    for cle, d in res.details.items():
        if cle in GOUVERNANCE or any(m in cle for m in MARQUEURS_GOUVERNANCE):
            out += [x for x in [details_gouvernance(cle, d)] if x is not None]
            continue
        if "transfert" in cle:
            cols = DETAILS["transfert"]
            titre = f"Évaluation CLECT — {d['competence'].iloc[0]} (transfert {d['annee'].iloc[0]})"
        elif "service" in cle:
            cols = DETAILS["service"]
            titre = (f"Service commun « {d['service'].iloc[0]} » ({d['annee'].iloc[0]}) — clé "
                     f"« {d['cle_repartition'].iloc[0]} », financement « {d['financement'].iloc[0].replace('_', ' ')} »")
        else:
            cols = DETAILS["pacte"]
            titre = f"Pacte financier — répartition de la DSC ({d['annee'].iloc[0]})"
        t = d[cols].copy()
        total = {c: (t[c].sum() if pd.api.types.is_numeric_dtype(t[c]) else "") for c in cols}
        total[cols[0]] = "Total"
        t = pd.concat([t, pd.DataFrame([total])], ignore_index=True)
        t = t.rename(columns={"entite_nom": "entite", "part": "part_cle_repartition"})
        t, formats = termes_en_colonnes(t, fractions=["part_cle_repartition"])
        out.append((titre, t, formats))
    return out
