"""Validation and import of the returned collection workbooks.

Every problem is reported with the workbook file, the sheet and the cell (``Effectifs!D7``) and a plain-French
explanation (:class:`~orleans_gov.base.erreurs.ErreurDonnees`); all the problems of a workbook are collected, not only
the first. An invalid workbook is not imported at all; the valid ones are. One function per sheet
(``_feuille_*``); the imported tables' layout and their CSV files are in :mod:`.importees`.
"""
from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd
from openpyxl import load_workbook

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import COMMUNES, NOM_AGGLO, SIREN_AGGLO, nom_entite, verifier_entite
from orleans_gov.sources.classeurs import modele as cl
from orleans_gov.sources.classeurs import referentiels as ref
from orleans_gov.sources.classeurs.cellules import Lecteur as _Lecteur, formules_sans_valeur, lignes as _lignes
from orleans_gov.sources.classeurs.importees import (TABLES, concatener, ecrire_tables, fusionner,
                                                     lire_tables_importees)

TOLERANCE_ETP = 0.05  # FTE: the total may be rounded to one decimal
EXTENSIONS_CLASSEUR = (".xlsx", ".xlsm")
"""Workbook files read (any case: ``X.XLSX``); other spreadsheet formats are refused by name."""
EXTENSIONS_REFUSEES = (".xls", ".ods", ".csv", ".xlsb", ".numbers")


class ErreursClasseurs(ErreurDonnees):
    """Several problems in one or more workbooks (``erreurs`` holds each :class:`ErreurDonnees`)."""

    def __init__(self, erreurs: list[ErreurDonnees]) -> None:
        self.erreurs = list(erreurs)
        fichiers = sorted({e.fichier for e in self.erreurs if e.fichier})
        entete = f"{len(self.erreurs)} problème(s) dans {len(fichiers)} classeur(s) :"
        super().__init__("\n".join([entete] + [f"  - {e}" for e in self.erreurs]))


@dataclass
class ClasseurLu:
    """Result of reading one workbook: its entity and year, the tidy tables, and every problem found."""

    fichier: Path
    entite: str | None = None
    annee: int | None = None
    provenance: str = "réel"
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    erreurs: list[ErreurDonnees] = field(default_factory=list)

    @property
    def valide(self) -> bool:
        return not self.erreurs


@dataclass
class RapportImport:
    """What an import did: workbooks imported, workbooks refused (with their problems), files written."""

    importes: list[ClasseurLu]
    refuses: list[ClasseurLu]
    fichiers_ecrits: list[Path]

    @property
    def erreurs(self) -> list[ErreurDonnees]:
        return [e for c in self.refuses for e in c.erreurs]

    def resume(self) -> str:
        lignes = [f"{len(self.importes)} classeur(s) importé(s), {len(self.refuses)} refusé(s)."]
        for c in self.importes:
            lignes.append(f"  importé : {c.fichier.name} ({c.entite}, {c.annee}, provenance « {c.provenance} »)")
        for c in self.refuses:
            lignes.append(f"  REFUSÉ (rien n'est importé de ce classeur) : {c.fichier.name}")
            lignes.extend(f"    - {e}" for e in c.erreurs)
        return "\n".join(lignes)


def _feuille_identite(wb, L: _Lecteur) -> dict:
    """« Identité »: entity, reference year, nature (sample or declared), template version; then the sheets the
    entity's workbook must hold. Returns the columns every imported row of this workbook carries."""
    lu = L.lu
    presentes = set(wb.sheetnames)
    if cl.F_IDENTITE not in presentes:
        L.erreur("feuille « Identité » absente : impossible d'identifier l'entité (ne pas renommer ni supprimer "
                 "de feuille)", cl.F_IDENTITE)
    else:
        ws = wb[cl.F_IDENTITE]
        version = L.texte(ws, cl.ID_VERSION)
        if version != ref.VERSION_MODELE:
            L.erreur(f"modèle de classeur non reconnu (attendu « {ref.VERSION_MODELE} ») : utiliser le classeur "
                     "envoyé par le cabinet", cl.F_IDENTITE, cl.ID_VERSION, version or None)
        brut = L.texte(ws, cl.ID_ENTITE)
        try:
            lu.entite = verifier_entite(brut)
        except KeyError:
            L.erreur("entité hors du périmètre de la mission (attendu : un des 22 codes INSEE des communes de "
                     f"l'agglomération ou le SIREN {SIREN_AGGLO})", cl.F_IDENTITE, cl.ID_ENTITE, brut or None)
        if lu.entite is not None:
            _controler_identite(ws, L, lu.entite)
        lu.annee = L.annee(ws, cl.ID_ANNEE, "année de référence")
        lu.provenance = "exemple" if L.texte(ws, cl.ID_NATURE).startswith("Données d'exemple") else "réel"
    attendues = cl.FEUILLES_AGGLO if lu.entite == SIREN_AGGLO else cl.FEUILLES_COMMUNES
    for f in attendues:
        if f not in presentes and f != cl.F_IDENTITE:
            L.erreur(f"feuille « {f} » absente (ne pas renommer ni supprimer de feuille)", f)
    return {"entite": lu.entite, "an": lu.annee, "provenance": lu.provenance, "fichier": lu.fichier.name}


def _controler_identite(ws, L: _Lecteur, entite: str) -> None:
    """B4–B6 (code INSEE, SIREN, name) must describe the entity of B3: a workbook whose B3 was changed to another
    commune's code would otherwise be imported as that commune."""
    agglo = entite == SIREN_AGGLO
    attendus = ((cl.ID_INSEE, "" if agglo else entite, "code INSEE"),
                (cl.ID_SIREN, SIREN_AGGLO if agglo else COMMUNES[entite][0], "SIREN"),
                (cl.ID_NOM, NOM_AGGLO if agglo else nom_entite(entite), "nom"))
    for cellule, attendu, quoi in attendus:
        lu_ = L.texte(ws, cellule)
        if lu_.casefold() != attendu.casefold():
            L.erreur(f"{quoi} incohérent avec l'identifiant {entite} de la cellule {cl.ID_ENTITE} (attendu "
                     f"« {attendu or '(vide)'} ») : le classeur ne peut pas être attribué ; utiliser le classeur "
                     "envoyé par le cabinet sans modifier la feuille Identité", cl.F_IDENTITE, cellule, lu_ or None)


def _feuille_effectifs(ws, L: _Lecteur, base: dict) -> float:
    """« Effectifs »: the filière × catégorie × statut grid, its Total row and the personnel charges.
    Returns the entity's total FTE (titulaires + contractuels as declared; NaN when unknown)."""
    lu = L.lu
    etp_total = math.nan
    lignes, vues = [], {}
    ligne_total = None
    for r in _lignes(ws, cl.EFF_PREMIERE_LIGNE, L):
        fil, cat = L.texte(ws, f"A{r}"), L.texte(ws, f"B{r}")
        if fil == cl.LIBELLE_TOTAL:
            ligne_total = r
            break
        ok = True
        if fil not in ref.FILIERES:
            L.erreur(f"filière inconnue « {fil} » (attendu : {', '.join(ref.FILIERES)})", ws.title, f"A{r}", fil)
            ok = False
        if cat not in ref.CATEGORIES:
            L.erreur("catégorie inconnue (attendu : A, B ou C)", ws.title, f"B{r}", cat)
            ok = False
        if ok and L.deja_vue(vues, (fil, cat), ws, r, f"{fil} / {cat}"):
            ok = False
        for statut in ref.STATUTS:
            c_eff = f"{cl.EFF_COLONNES[(statut, 'effectif')]}{r}"
            c_etp = f"{cl.EFF_COLONNES[(statut, 'etp')]}{r}"
            n = L.nombre(ws, c_eff, libelle=f"effectif des {statut}s, filière {fil}, catégorie {cat}", entier=True)
            e = L.nombre(ws, c_etp, libelle=f"ETP des {statut}s, filière {fil}, catégorie {cat}")
            if not math.isnan(n) and not math.isnan(e) and e > n + 1e-9:
                L.erreur(f"ETP ({e:g}) supérieurs à l'effectif ({n:g}) : un agent compte au plus pour 1 ETP",
                         ws.title, c_etp, ws[c_etp].value)
            if ok:
                lignes.append({"filiere": fil, "categorie": cat, "statut": statut, "effectif": n, "etp": e})
    if ligne_total is None:
        L.erreur("ligne « Total » introuvable sous le tableau des effectifs", ws.title,
                 f"A{cl.EFF_LIGNE_TOTAL}")
    manquantes = [(f, c) for f in ref.FILIERES for c in ref.CATEGORIES if (f, c) not in vues]
    if manquantes and ligne_total is not None:
        L.erreur("lignes manquantes dans le tableau des effectifs : "
                 + ", ".join(f"{f} {c}" for f, c in manquantes[:6]) + ("…" if len(manquantes) > 6 else ""),
                 ws.title, f"A{cl.EFF_PREMIERE_LIGNE}")
    df = pd.DataFrame(lignes, columns=["filiere", "categorie", "statut", "effectif", "etp"])
    totaux = {}
    if ligne_total is not None:
        for statut in ref.STATUTS:
            for mesure in ("effectif", "etp"):
                cellule = f"{cl.EFF_COLONNES[(statut, mesure)]}{ligne_total}"
                lib_mesure = "des effectifs" if mesure == "effectif" else "des ETP"
                declare = L.nombre(ws, cellule, libelle=f"ligne Total {lib_mesure} {statut}s", obligatoire=True,
                                   entier=mesure == "effectif")
                totaux[(statut, mesure)] = declare
                somme = df.loc[df["statut"] == statut, mesure].sum(min_count=1)
                if math.isnan(declare):
                    continue
                tol = TOLERANCE_ETP if mesure == "etp" else 1e-6
                if pd.isna(somme) or abs(somme - declare) > tol:
                    lib = "n.d. (aucune ligne renseignée)" if pd.isna(somme) else f"{somme:g}"
                    L.erreur(f"le total déclaré ({declare:g}) ne correspond pas à la somme des lignes ({lib}) "
                             f"pour {'les effectifs' if mesure == 'effectif' else 'les ETP'} {statut}s",
                             ws.title, cellule, ws[cellule].value)
        charges_cell = f"C{ligne_total + 3}"
    else:
        charges_cell = cl.EFF_CELLULE_CHARGES
    charges = L.nombre(ws, charges_cell, libelle="charges de personnel (k€)", obligatoire=True)
    # totals of the workbook = titulaires + contractuels as declared (rounded to 1e-6 to drop float noise)
    eff_total = round(sum(totaux.get((s, "effectif"), math.nan) for s in ref.STATUTS), 6) if totaux else math.nan
    etp_total = round(sum(totaux.get((s, "etp"), math.nan) for s in ref.STATUTS), 6) if totaux else math.nan
    lu.tables["effectifs"] = df.assign(**base)
    lu.tables["effectifs_totaux"] = pd.DataFrame([{**base, "effectif": eff_total, "etp": etp_total,
                                                   "charges_personnel": charges}])
    return etp_total


def _feuille_support(ws, L: _Lecteur, base: dict, etp_total: float) -> None:
    """« Fonctions support »: FTE and cost of each support function (their FTE within the entity's total)."""
    lu = L.lu
    lignes, vues = [], {}
    for r in _lignes(ws, cl.PREMIERE_LIGNE, L):
        fonc = L.texte(ws, f"{cl.SUP_COL_FONCTION}{r}")
        if fonc not in ref.FONCTIONS_SUPPORT:
            L.erreur(f"fonction support inconnue « {fonc} » (attendu : {', '.join(ref.FONCTIONS_SUPPORT)})",
                     ws.title, f"A{r}", fonc)
            continue
        if L.deja_vue(vues, fonc, ws, r, fonc, "fonction"):
            continue
        etp = L.nombre(ws, f"{cl.SUP_COL_ETP}{r}", libelle=f"ETP {fonc}")
        cout = L.nombre(ws, f"{cl.SUP_COL_COUT}{r}", libelle=f"coût {fonc} (k€)")
        lignes.append({"fonction_support": fonc, "etp": etp, "cout": cout})
    manquantes = [f for f in ref.FONCTIONS_SUPPORT if f not in vues]
    if manquantes:
        L.erreur("fonctions support manquantes : " + ", ".join(manquantes), ws.title, f"A{cl.PREMIERE_LIGNE}")
    df = pd.DataFrame(lignes, columns=["fonction_support", "etp", "cout"])
    somme = df["etp"].sum(min_count=1)
    if not pd.isna(somme) and not math.isnan(etp_total) and somme > etp_total + TOLERANCE_ETP:
        derniere = cl.PREMIERE_LIGNE + max(len(lignes), 1) - 1
        L.erreur(f"les ETP des fonctions support ({somme:g}) dépassent le total des ETP de l'entité "
                 f"({etp_total:g}, feuille Effectifs)", ws.title, f"C{cl.PREMIERE_LIGNE}:C{derniere}")
    lu.tables["fonctions_support"] = df.assign(**base)


def _feuille_depenses(ws, L: _Lecteur) -> None:
    """« Dépenses par politique »: operating and investment spending by year × M14 function (k€)."""
    lu = L.lu
    lignes, vues = [], {}
    for r in _lignes(ws, cl.PREMIERE_LIGNE, L):
        an = L.annee(ws, f"{cl.DEP_COL_ANNEE}{r}", "année")
        fonc = L.texte(ws, f"{cl.DEP_COL_FONCTION}{r}")
        if fonc not in ref.FONCTIONS_M14:
            L.erreur("fonction M14 inconnue (attendu : 0 à 9)", ws.title, f"B{r}", fonc)
            continue
        if an is None:
            continue
        if L.deja_vue(vues, (an, fonc), ws, r, f"{an} / {fonc}"):
            continue
        for section, col in (("fonctionnement", cl.DEP_COL_FONCT), ("investissement", cl.DEP_COL_INV)):
            m = L.nombre(ws, f"{col}{r}", libelle=f"dépenses de {section} {an}, fonction {fonc} (k€)")
            lignes.append({"entite": lu.entite, "an": an, "fonction": fonc,
                           "libelle_fonction": ref.FONCTIONS_M14[fonc], "section": section, "montant": m,
                           "provenance": lu.provenance})
    lu.tables["depenses_fonction"] = pd.DataFrame(lignes, columns=list(TABLES["depenses_fonction"]))


def _feuille_competences(ws, L: _Lecteur, base: dict, domaines: list[str] | None) -> None:
    """« Compétences »: does the entity exercise each domain of the sourced competence table (Oui/Non/empty)."""
    lu = L.lu
    lignes, vues = [], {}
    for r in _lignes(ws, cl.PREMIERE_LIGNE, L):
        dom = L.texte(ws, f"A{r}")
        if domaines is not None and dom not in domaines:
            L.erreur("domaine de compétence inconnu (ne pas modifier la colonne A)", ws.title, f"A{r}", dom)
            continue
        if L.deja_vue(vues, dom, ws, r, dom, "domaine"):
            continue
        rep = L.texte(ws, f"{cl.COMP_COL_REPONSE}{r}")
        if rep and rep.lower() not in ref.OUI_NON:
            L.erreur("réponse attendue : Oui ou Non (laisser vide si inconnu)", ws.title,
                     f"{cl.COMP_COL_REPONSE}{r}", rep)
            continue
        lignes.append({"domaine": dom, "fonction_m14": L.texte(ws, f"B{r}"),
                       "exercee": ref.OUI_NON[rep.lower()] if rep else pd.NA})
    if domaines is not None:
        manquants = [d for d in domaines if d not in vues]
        if manquants:
            L.erreur(f"{len(manquants)} domaine(s) de compétence manquant(s), dont « {manquants[0]} »",
                     ws.title, f"A{cl.PREMIERE_LIGNE}")
    df = pd.DataFrame(lignes, columns=["domaine", "fonction_m14", "exercee"])
    df["exercee"] = df["exercee"].astype("boolean")
    lu.tables["competences_exercees"] = df.assign(**base)


def _feuille_flux(ws, L: _Lecteur) -> None:
    """« Flux communes » (agglomeration only): attribution de compensation and DSC per commune × year (k€)."""
    lu = L.lu
    lignes, vues = [], {}
    for r in _lignes(ws, cl.PREMIERE_LIGNE, L):
        code = L.texte(ws, f"{cl.FLUX_COL_CODE}{r}")
        an = L.annee(ws, f"{cl.FLUX_COL_ANNEE}{r}", "année")
        if code not in COMMUNES:
            L.erreur("code INSEE hors des 22 communes de l'agglomération", ws.title, f"A{r}", code)
            continue
        if an is None:
            continue
        if L.deja_vue(vues, (code, an), ws, r, f"{code} / {an}"):
            continue
        ac = L.nombre(ws, f"{cl.FLUX_COL_AC}{r}", libelle=f"attribution de compensation {code} {an} (k€)",
                      positif=False)
        dsc = L.nombre(ws, f"{cl.FLUX_COL_DSC}{r}", libelle=f"DSC {code} {an} (k€)")
        lignes.append({"code_insee": code, "an": an, "attribution_compensation": ac, "dsc": dsc,
                       "provenance": lu.provenance})
    lu.tables["flux_agglo_communes"] = pd.DataFrame(lignes, columns=list(TABLES["flux_agglo_communes"]))


def lire_classeur(chemin: str | Path, *, domaines: list[str] | None = None) -> ClasseurLu:
    """Read and validate one returned workbook; every problem is collected in ``ClasseurLu.erreurs``.

    ``domaines``: the competence domains expected in the « Compétences » sheet (from the sourced competence
    table); ``None`` accepts any non-empty domain.
    """
    lu = ClasseurLu(Path(chemin))
    L = _Lecteur(lu)
    if lu.fichier.is_dir():
        L.erreur("c'est un dossier, un classeur .xlsx est attendu")
        return lu
    try:
        wb = load_workbook(lu.fichier, data_only=True)
        L.formules = formules_sans_valeur(lu.fichier)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        L.erreur(f"fichier illisible : ce n'est pas un classeur Excel .xlsx valide ({exc.__class__.__name__})")
        return lu
    presentes = set(wb.sheetnames)

    base = _feuille_identite(wb, L)
    if cl.F_EFFECTIFS in presentes:
        etp_total = _feuille_effectifs(wb[cl.F_EFFECTIFS], L, base)
    else:
        etp_total = math.nan
    if cl.F_SUPPORT in presentes:
        _feuille_support(wb[cl.F_SUPPORT], L, base, etp_total)
    if cl.F_DEPENSES in presentes:
        _feuille_depenses(wb[cl.F_DEPENSES], L)
    if cl.F_COMPETENCES in presentes:
        _feuille_competences(wb[cl.F_COMPETENCES], L, base, domaines)
    if lu.entite == SIREN_AGGLO and cl.F_FLUX in presentes:
        _feuille_flux(wb[cl.F_FLUX], L)

    for nom in list(lu.tables):
        lu.tables[nom] = lu.tables[nom].reindex(columns=list(TABLES[nom]))
    return lu


def valider_dossier(dossier: str | Path, *, domaines: list[str] | None = None) -> list[ClasseurLu]:
    """Read every workbook of a folder (``.xlsx``/``.xlsm`` in any case, sorted by name) and add the
    cross-workbook checks; ``.xls``, ``.ods``, ``.csv``… are refused by name (listed as refused workbooks).

    Two workbooks for the same entity and year are both refused (the consultant must choose).
    Temporary Excel lock files (``~$…``) are ignored.
    """
    dossier = Path(dossier)
    if not dossier.is_dir():
        raise ErreurDonnees("dossier de classeurs introuvable", fichier=dossier)
    fichiers = sorted(p for p in dossier.iterdir() if not p.name.startswith(("~$", ".")))
    chemins = [p for p in fichiers if p.suffix.lower() in EXTENSIONS_CLASSEUR]
    autres = [p for p in fichiers if p.suffix.lower() in EXTENSIONS_REFUSEES
              and p.stem not in TABLES]   # the tidy CSVs of an import into this same folder are not workbooks
    if not chemins and not autres:
        raise ErreurDonnees("aucun classeur .xlsx dans le dossier", fichier=dossier)
    lus = [lire_classeur(p, domaines=domaines) for p in chemins]
    for p in autres:   # refused by name, never ignored in silence
        lu = ClasseurLu(p)
        lu.erreurs.append(ErreurDonnees(f"format « {p.suffix} » non lu : enregistrer le classeur au format Excel "
                                        ".xlsx (Fichier > Enregistrer sous)", fichier=p.name))
        lus.append(lu)
    par_cle: dict[tuple, list[ClasseurLu]] = {}
    for lu in lus:
        if lu.entite is not None and lu.annee is not None:
            par_cle.setdefault((lu.entite, lu.annee), []).append(lu)
    for (entite, annee), groupe in par_cle.items():
        if len(groupe) > 1:
            noms = ", ".join(g.fichier.name for g in groupe)
            for g in groupe:
                g.erreurs.append(ErreurDonnees(
                    f"plusieurs classeurs pour la même entité ({entite}) et la même année ({annee}) : {noms} ; "
                    "aucun n'est importé, garder un seul classeur", fichier=g.fichier.name, feuille=cl.F_IDENTITE,
                    cellule=cl.ID_ENTITE, valeur=entite))
    return lus


def assembler(lus: Iterable[ClasseurLu]) -> dict[str, pd.DataFrame]:
    """Concatenate the tables of valid workbooks into one tidy frame per table."""
    lus = [lu for lu in lus if lu.valide]
    return {nom: concatener(nom, [lu.tables.get(nom) for lu in lus]) for nom in TABLES}


def importer_dossier(dossier: str | Path, destination: str | Path, *, domaines: list[str] | None = None,
                     fusion: bool = True) -> RapportImport:
    """Validate every workbook of ``dossier`` and write the tidy CSVs of the valid ones into ``destination``.

    ``fusion``: keep the rows already in ``destination`` for other entities/years (a campaign is imported as
    the workbooks come back); otherwise ``destination`` is rewritten from this folder only.
    """
    lus = valider_dossier(dossier, domaines=domaines)
    importes = [lu for lu in lus if lu.valide]
    refuses = [lu for lu in lus if not lu.valide]
    destination = Path(destination)
    ecrits: list[Path] = []
    if importes:
        nouvelles = assembler(importes)
        tables = fusionner(lire_tables_importees(destination), nouvelles) if fusion else nouvelles
        ecrits = ecrire_tables(tables, destination)
    return RapportImport(importes, refuses, ecrits)
