"""The sections of the fiche commune (notebooks/10_fiche_commune.ipynb), each a function of the fiche's context
returning the objects to show in order (tables, figures, Markdown).

A section that cannot be produced raises :class:`~orleans_gov.restitution.chargement.SectionIndisponible`;
:func:`montrer` then shows « <section> : section non disponible » with the reason, never silent zeros.
``ctx``: :class:`~orleans_gov.restitution.chargement.ContexteFiche` (it remembers the results shared by sections).
"""
from __future__ import annotations

import pandas as pd

from orleans_gov.analyse.finances import indicateurs_entites
from orleans_gov.analyse.organisations import indicateurs_personnel
from orleans_gov.analyse.politiques import depenses_par_habitant, populations_dgfip
from orleans_gov.analyse.strates import comparaison_strate
from orleans_gov.base import vocabulaire
from orleans_gov.restitution import fiche
from orleans_gov.restitution.bandeau import bandeau_exemple
from orleans_gov.restitution.chargement import SectionIndisponible
from orleans_gov.restitution.en_bref import en_bref as bref, messages_fiche, texte_reel
from orleans_gov.restitution.fiche_graphiques import fig_depenses, fig_evolution, fig_situation
from orleans_gov.restitution.finances import note_provenance
from orleans_gov.restitution.formats import fmt_nombre, fmt_pct
from orleans_gov.restitution.fragments import afficher, markdown
from orleans_gov.restitution.glossaire import glossaire
from orleans_gov.restitution.projections import projections_scenarios
from orleans_gov.restitution.scenarios.tableaux import formats_termes
from orleans_gov.restitution.tableaux import cote_a_cote, tableau_termes
from orleans_gov.restitution.textes import compte, entete_annee, ordinal

NOMS_GLOSSAIRE_FICHE = ["caf", "epargne_brute", "epargne_gestion", "epargne_nette", "taux_epargne_brute",
                        "capacite_desendettement", "attribution_compensation", "dsc", "clect", "cif", "fpic"]
NOTE_FIN = ("*Fiche produite automatiquement à partir des données de l'étude ; montants en milliers d'euros (k€) "
            "sauf mention contraire ; n.d. : non disponible.*")


def indisponible(section: str, exc: Exception):
    """Says explicitly why a section cannot be produced."""
    texte = str(exc)
    return markdown(f"> **{section} : section non disponible.** {texte[:1].upper() + texte[1:]}.")


def montrer(ctx, section: str, fonction) -> None:
    """Show the objects of ``fonction(ctx)``, or why ``section`` is not available."""
    try:
        afficher(*fonction(ctx))
    except SectionIndisponible as exc:
        afficher(indisponible(section, exc))


def _memo(ctx, cle: str, calcul):
    if cle not in ctx.tables:
        ctx.tables[cle] = calcul()
    return ctx.tables[cle]


def donnees_de_base(ctx) -> list:
    """The accounts and the territory (marked: the fiche carries the banner when they hold sample data)."""
    ctx.marquer(ctx.table("finances_communes"), ctx.table("finances_agglo"))
    ctx.table("territoire")
    return []


def bandeau(ctx) -> list:
    return [bandeau_exemple(ctx.exemple, afficher=False)]


# ------------------------------------------------------------------------------------------------
# Identity
# ------------------------------------------------------------------------------------------------
def _carte_identite(ctx):
    idt = fiche.identite(ctx.entite, ctx.table("territoire"), ctx.annee)
    ctx.tables["_identite"] = idt
    lignes = [("Niveau", idt.niveau), ("Code INSEE" if not ctx.agglo else "SIREN", idt.code_insee or idt.siren),
              (f"Population {ctx.annee}",
               f"{fmt_nombre(idt.population)} habitants ({idt.statut_population or 'statut n.d.'})")]
    if not ctx.agglo:
        lignes += [("SIREN", idt.siren), (vocabulaire.libelle("strate_dgfip"), idt.strate or "n.d."),
                   ("Rang parmi les 22 communes (population)", ordinal(idt.rang_population)),
                   ("Part de la population de l'agglomération", fmt_pct(idt.part_population))]
    else:
        lignes += [("Communes membres", "22"),
                   ("Forme juridique", "communauté d'agglomération (EPCI à fiscalité propre unique)")]
    return tableau_termes(_tableau(lignes, ("rubrique", "valeur")), titre=f"{ctx.nom} — carte d'identité",
                          exemple=False, source="INSEE, populations municipales ; DGCL, composition des EPCI ; "
                          f"strates DGFiP ({ctx.annee})")


def _tableau(lignes, colonnes) -> pd.DataFrame:
    t = pd.DataFrame(lignes, columns=list(colonnes)).set_index(colonnes[0])
    return t.rename_axis(vocabulaire.libelle(colonnes[0]))


def identite_et_carte(ctx) -> list:
    """The identity card next to the situation map (each shown alone when the other is missing)."""
    elements = []
    try:
        t_id = _carte_identite(ctx)
    except SectionIndisponible as exc:
        t_id = None
        elements.append(indisponible("Identité", exc))
    try:
        fig = fig_situation(ctx, ctx.table("perimetre"))
        elements.append(cote_a_cote(*([t_id] if t_id is not None else []), fig,
                                    proportions=[1.1, 1] if t_id is not None else None))
    except SectionIndisponible as exc:
        elements += [t_id, indisponible("Carte de situation", exc)]
    return elements


def _indicateurs(ctx):
    if "_indicateurs" not in ctx.tables:
        raise SectionIndisponible("les indicateurs financiers ne sont pas disponibles")
    return ctx.tables["_indicateurs"], ctx.tables["_comparaison"]


def indicateurs_financiers(ctx) -> list:
    """Computes the financial indicators and the strata comparison (shown by the next sections)."""
    fin_c, fin_a = ctx.table("finances_communes"), ctx.table("finances_agglo")
    comparaison = comparaison_strate(fin_c, moyennes=ctx.table("moyennes_strates"))
    ctx.tables["_indicateurs"], ctx.tables["_comparaison"] = indicateurs_entites(fin_c, fin_a), comparaison
    return []


def bref_fiche(ctx, idt, indicateurs, comparaison):
    """« En bref » of a fiche: its identity sentence, then the messages of its financial tables
    (:func:`~orleans_gov.restitution.en_bref.messages_fiche`)."""
    intro = fiche.phrases_synthese(idt, None, None)[0]
    return bref(messages_fiche(ctx.nom, fiche.tableau_finances(ctx.entite, indicateurs, comparaison, ctx.annee),
                               fiche.tableau_ratios(ctx.entite, indicateurs, ctx.annee), ctx.annee, ctx.agglo),
                intro=intro, reel=texte_reel(ctx.dossier_donnees))


def en_bref(ctx) -> list:
    """« En bref » (after the identity card, when it could be produced): the identity sentence and five messages
    of the financial tables (:func:`bref_fiche`)."""
    idt = ctx.tables.get("_identite")
    if idt is None:
        return []
    ind, cmp_ = ctx.tables.get("_indicateurs"), ctx.tables.get("_comparaison")
    if ind is None:
        return [markdown("**En bref.** " + " ".join(fiche.phrases_synthese(idt, ind, cmp_)))]
    return [bref_fiche(ctx, idt, ind, cmp_)]


# ------------------------------------------------------------------------------------------------
# Finances
# ------------------------------------------------------------------------------------------------
def situation_financiere(ctx) -> list:
    """Key amounts against the strata mean and the structure ratios of the year."""
    ind, comparaison = _indicateurs(ctx)
    source = ("DGFiP, comptes individuels des " + ("groupements à fiscalité propre (budget principal et budgets "
              "annexes)" if ctx.agglo else "communes (budget principal) et moyennes de la strate")
              + f", {ctx.annee} ; " + note_provenance(ind[(ind["entite"] == ctx.entite) & (ind["an"] == ctx.annee)]))
    t_fin = fiche.tableau_finances(ctx.entite, ind, comparaison, ctx.annee)
    ctx.marquer(t_fin)
    if ctx.agglo:
        t_fin = t_fin.drop(columns=["moyenne_strate_eur_hab", "indice_strate"])
    elements = [tableau_termes(t_fin, source=source, titre=f"Principaux montants {ctx.annee}"
                               + ("" if ctx.agglo else " comparés à la moyenne de la strate"))]
    if ctx.agglo:
        elements.append(markdown("*L'agglomération n'a pas de strate de comparaison dans les fichiers DGFiP utilisés : "
                                 "les moyennes de strate ne s'appliquent qu'aux communes. Ses produits sont nets des "
                                 "attributions de compensation et de la DSC reversées aux communes.*"))
    pont = pont_caf(t_fin)
    if pont is not None:
        elements.append(tableau_termes(pont, titre=f"Des recettes et dépenses de fonctionnement à l'épargne brute, "
                                       f"{ctx.annee}", source=source + " ; l'écart est calculé (épargne brute − "
                                       "solde), il n'est pas lu dans les comptes"))
    elements.append(tableau_termes(fiche.tableau_ratios(ctx.entite, ind, ctx.annee),
                                   titre=f"Ratios de structure {ctx.annee}", source=source))
    return elements


def pont_caf(t_fin: pd.DataFrame) -> pd.DataFrame | None:
    """Bridge « recettes − dépenses » → épargne brute from the amounts of ``t_fin`` (the table shown just above):
    the DGFiP total of charges includes the dotations aux amortissements et provisions, which the CAF excludes
    (instruction M14), so recettes − dépenses ≠ épargne brute; the difference is shown as its own line.
    ``None`` when one of the three amounts is missing."""
    lib = {n: vocabulaire.libelle(n) for n in ("rrf", "drf", "epargne_brute")}
    if not all(v in t_fin.index for v in lib.values()):
        return None
    m = t_fin["montant"]
    rrf, drf, eb = (m[lib[n]] for n in ("rrf", "drf", "epargne_brute"))
    if any(pd.isna(x) for x in (rrf, drf, eb)):
        return None
    solde = rrf - drf
    noms = ["rrf", "drf", "solde_fonctionnement", "ecart_caf", "epargne_brute"]
    t = pd.DataFrame({"montant": [rrf, -drf, solde, eb - solde, eb]},
                     index=pd.Index([vocabulaire.libelle(n) for n in noms], name=vocabulaire.libelle("indicateur")))
    return t.assign(provenance=t_fin["provenance"].iloc[0] if "provenance" in t_fin else None)


def evolution(ctx) -> list:
    """The chart of the period and the years missing from the data."""
    ind, comparaison = _indicateurs(ctx)
    s = fiche.series_finances(ctx.entite, ind, comparaison, ctx.annee_debut, ctx.annee)
    if s.empty:
        raise SectionIndisponible(f"aucun exercice entre {ctx.annee_debut} et {ctx.annee}")
    elements = [fig_evolution(ctx, s, ctx.marquer(s))]
    manque = sorted(set(range(ctx.annee_debut, ctx.annee + 1)) - set(s.index))
    if manque:
        elements.append(markdown(f"*Exercices absents des données : {', '.join(map(str, manque))} (non représentés).*"))
    return elements


# ------------------------------------------------------------------------------------------------
# Staff, support functions, police
# ------------------------------------------------------------------------------------------------
def personnel(ctx) -> list:
    """Staff and personnel costs against the 22 communes, and the entity's support functions."""
    ip = indicateurs_personnel(ctx.table("effectifs_totaux"), ctx.table("effectifs"), ctx.table("territoire"),
                               ctx.table("finances_communes"), ctx.table("finances_agglo"))
    t_p, an_p = fiche.tableau_personnel(ctx.entite, ip)
    ctx.marquer(t_p)
    source = f"Classeurs de collecte des communes et de l'agglomération (effectifs au 31/12/{an_p})"
    texte = fiche.texte_personnel(t_p).rename(columns={"entite": ctx.nom})
    elements = [tableau_termes(texte, titre=f"Effectifs et coûts de personnel {an_p}, comparés aux 22 communes",
                               source=source + " ; charges de fonctionnement : DGFiP")]
    if ctx.agglo:
        elements.append(markdown("*Les valeurs de l'agglomération sont placées à côté de la distribution des 22 "
                                 "communes pour mémoire ; elles ne sont pas comparables terme à terme (compétences "
                                 "différentes).*"))
    fs = fiche.fonctions_support_entite(ctx.entite, ctx.table("fonctions_support"))
    ctx.marquer(fs)
    elements.append(tableau_termes(fs, titre=f"Fonctions support {fs.attrs['an']} (les doublons sont la matière des "
                                   "services communs)", source=source + " ; « présente aussi dans » : nombre des 22 "
                                   "autres entités déclarant des ETP sur la fonction"))
    return elements


def police(ctx) -> list:
    """The latest police municipale staff of the entity (real data, Ministère de l'Intérieur)."""
    pm = ctx.table("police_municipale")
    pm = pm[pm["entite"].astype(str) == ctx.entite].sort_values("an")
    if not len(pm):
        return [markdown("Police municipale : l'enquête du Ministère de l'Intérieur ne recense pas d'agent pour "
                         "cette entité.")]
    d = pm.iloc[-1]
    quoi = "Police intercommunale des transports" if ctx.agglo else "Police municipale"
    return [markdown(f"{quoi} (données réelles) : {compte(d['agents_police'], 'agent de police', aucun=False)} "
                     f"et {fmt_nombre(d['asvp'])} ASVP en {int(d['an'])} "
                     f"(source : Ministère de l'Intérieur, enquête « Police municipale : effectifs par commune »).")]


# ------------------------------------------------------------------------------------------------
# Spending by policy, scenarios
# ------------------------------------------------------------------------------------------------
def depenses(ctx) -> list:
    """Spending by M14 function: chart and table."""
    # one population for every per-inhabitant amount of the deliverables: the DGFiP population of the accounts
    # (document 01 uses the same; issue 14: Orléans's €/hab differed between 01 and its fiche)
    dep_hab = depenses_par_habitant(ctx.table("depenses_fonction"), populations_dgfip(ctx.table("finances_communes")))
    t_d = fiche.depenses_politiques(ctx.entite, dep_hab, ctx.annee)
    ex_d = ctx.marquer(t_d)
    source = (f"Comptes administratifs, présentation fonctionnelle M14 (fonctionnement + investissement), {ctx.annee} ; "
              "par habitant : population DGFiP des comptes (pour l'agglomération, somme de celles des 22 communes)")
    fig = fig_depenses(ctx, t_d, ex_d, source)
    if ctx.agglo:
        t_d = t_d.drop(columns="mediane_communes_eur_hab")
    return [fig, tableau_termes(t_d, fractions=["part_depenses"], titre=f"Dépenses par fonction {ctx.annee}",
                                source=source)]


def scenarios(ctx) -> list:
    """What each shipped scenario changes for the entity (against the same scenario without action)."""
    paires = projections_scenarios(ctx.dossier_donnees, ctx.annee)
    t_s = fiche.effets_scenarios(ctx.entite, paires)
    ctx.marquer(t_s)
    horizon = t_s["horizon"].iloc[0] if t_s["horizon"].nunique() == 1 else None
    if horizon:
        t_s = t_s.drop(columns="horizon")
    formats = formats_termes({entete_annee(t, q, "Δ "): t for _c, t, q in fiche.EFFETS_FICHE})
    elements = [tableau_termes(t_s, formats=formats, titre=f"Effets pour {ctx.nom}" + (f", {horizon}" if horizon else "")
                               + " (écarts avec le même scénario sans action)",
                               source=f"Projection des scénarios étudiés sur les comptes DGFiP {ctx.annee}. "
                               "AC : attribution de compensation (art. 1609 nonies C CGI), > 0 = plus reçue ou moins "
                               "versée ; « fin d'horizon » = dernière année de l'horizon ; ETP : équivalents temps plein")]
    elements += [markdown(f"> **Scénario non pris en compte — fichier invalide.** {m}")
                 for m in getattr(paires, "invalides", [])]
    elements.append(markdown("Contenu des scénarios, hypothèses et effets sur toutes les entités : document "
                             "« Scénarios financiers du bloc communal »."))
    return elements


def conclusion(ctx) -> list:
    return [bandeau_exemple(ctx.exemple, afficher=False), markdown(NOTE_FIN), glossaire(NOMS_GLOSSAIRE_FICHE)]


__all__ = ["montrer", "indisponible", "donnees_de_base", "bandeau", "identite_et_carte", "indicateurs_financiers",
           "en_bref", "situation_financiere", "evolution", "personnel", "police", "depenses", "scenarios",
           "conclusion"]
