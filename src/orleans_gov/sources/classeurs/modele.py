"""Generation of the data-collection workbooks (one Excel file per entity of the perimeter).

No open dataset gives the staff of each commune (filière × catégorie × statut, FTE), its support functions or
its spending by policy area: the consultant sends each commune and the agglomeration a workbook, the entity fills
the yellow cells and sends it back, and :mod:`orleans_gov.sources.classeurs.lecture` validates and imports it.

The layout (sheet names, header rows, first data row, columns) is defined once here and shared with the importer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.fichiers import chemin_temporaire, exiger_fichier, remplacer_atomique
from orleans_gov.base.territoire import COMMUNES, ENTITES, NOM_AGGLO, SIREN_AGGLO, nom_entite, verifier_entite
from orleans_gov.sources.classeurs import referentiels as ref

# --------------------------------------------------------------------------------------------------
# Layout (shared with the importer)
F_INSTRUCTIONS = "Instructions"
F_IDENTITE = "Identité"
F_EFFECTIFS = "Effectifs"
F_SUPPORT = "Fonctions support"
F_DEPENSES = "Dépenses par politique"
F_COMPETENCES = "Compétences"
F_FLUX = "Flux communes"
FEUILLES_COMMUNES: tuple[str, ...] = (F_INSTRUCTIONS, F_IDENTITE, F_EFFECTIFS, F_SUPPORT, F_DEPENSES, F_COMPETENCES)
FEUILLES_AGGLO: tuple[str, ...] = FEUILLES_COMMUNES + (F_FLUX,)

# Identité: label in column A, value in column B
ID_ENTITE, ID_INSEE, ID_SIREN, ID_NOM, ID_NIVEAU, ID_ANNEE, ID_SERIES, ID_NATURE, ID_VERSION = (
    "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11")
ID_REPONDANT_LIGNES = (13, 14, 15, 16, 17)

# Effectifs: A filière, B catégorie, C/D titulaires effectif/ETP, E/F contractuels effectif/ETP
EFF_PREMIERE_LIGNE = 7
EFF_COLONNES: dict[tuple[str, str], str] = {
    ("titulaire", "effectif"): "C", ("titulaire", "etp"): "D",
    ("contractuel", "effectif"): "E", ("contractuel", "etp"): "F",
}
EFF_LIGNE_TOTAL = EFF_PREMIERE_LIGNE + len(ref.FILIERES) * len(ref.CATEGORIES)  # 37
EFF_LIGNE_CONTROLE = EFF_LIGNE_TOTAL + 1
EFF_CELLULE_CHARGES = f"C{EFF_LIGNE_TOTAL + 3}"  # C40
LIBELLE_TOTAL = "Total"

# other sheets: header on row 5, data from row 6
PREMIERE_LIGNE = 6
SUP_COL_FONCTION, SUP_COL_ETP, SUP_COL_COUT = "A", "C", "D"
DEP_COL_ANNEE, DEP_COL_FONCTION, DEP_COL_FONCT, DEP_COL_INV = "A", "B", "D", "E"
COMP_COL_DOMAINE, COMP_COL_REPONSE = "A", "D"
FLUX_COL_CODE, FLUX_COL_ANNEE, FLUX_COL_AC, FLUX_COL_DSC = "A", "C", "D", "E"

MOT_DE_PASSE = "orleans_gov"  # sheet protection guards the layout against accidents, it is not a secret

# --------------------------------------------------------------------------------------------------
_BLEU = "1F4E79"
_ENTETE = PatternFill("solid", fgColor=_BLEU)
_SAISIE = PatternFill("solid", fgColor="FFF2CC")
_GRIS = PatternFill("solid", fgColor="EDEDED")
_ROUGE = PatternFill("solid", fgColor="F8CBAD")
_TRAIT = Side(style="thin", color="A6A6A6")
_BORD = Border(left=_TRAIT, right=_TRAIT, top=_TRAIT, bottom=_TRAIT)
_OUVERT = Protection(locked=False)


def nom_fichier(entite: str) -> str:
    """File name of an entity's workbook: ``collecte_<code>_<Nom-sans-accents>.xlsx`` (``AgglO`` for the EPCI)."""
    entite = verifier_entite(entite)
    nom = "AgglO" if entite == SIREN_AGGLO else nom_entite(entite)
    ascii_ = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_).strip("-")
    return f"collecte_{entite}_{slug}.xlsx"


@dataclass(frozen=True)
class Domaine:
    """One competence line of the sourced competence table (``competences_agglo-orleans.csv``)."""

    domaine: str
    fonction_m14: str
    niveau: str


def domaines_competences(chemin: str | Path) -> list[Domaine]:
    """The competence domains of the sourced competence table, in file order."""
    if not Path(chemin).exists():
        raise ErreurDonnees("table des compétences introuvable (elle fournit la liste de la feuille « Compétences »)",
                            fichier=chemin)
    exiger_fichier(chemin)
    try:
        df = pd.read_csv(chemin, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ErreurDonnees(f"table des compétences illisible : {str(exc)[:200]}", fichier=chemin) from None
    manquantes = [c for c in ("domaine", "fonction_m14", "niveau") if c not in df.columns]
    if manquantes:
        raise ErreurDonnees("colonne absente de la table des compétences", fichier=chemin, ligne=1,
                            colonne=manquantes[0])
    return [Domaine(r.domaine, r.fonction_m14, r.niveau) for r in df.itertuples()]


def _entete(ws, ligne: int, libelles: Iterable[str]) -> None:
    for i, lib in enumerate(libelles, start=1):
        c = ws.cell(row=ligne, column=i, value=lib)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = _ENTETE
        c.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        c.border = _BORD


def _titre(ws, titre: str, sous_titre: str) -> None:
    ws["A1"] = titre
    ws["A1"].font = Font(bold=True, size=14, color=_BLEU)
    ws["A2"] = sous_titre
    ws["A2"].font = Font(italic=True)


def _saisie(cell) -> None:
    cell.fill = _SAISIE
    cell.protection = _OUVERT
    cell.border = _BORD


def _fixe(cell) -> None:
    cell.fill = _GRIS
    cell.border = _BORD


def _proteger(ws) -> None:
    ws.protection.sheet = True
    ws.protection.password = MOT_DE_PASSE
    ws.protection.formatColumns = False  # allowed: widen columns
    ws.protection.formatRows = False


def _validation_nombre(ws, plage: str, *, entier: bool = False, positif: bool = True) -> None:
    if positif:
        dv = DataValidation(type="whole" if entier else "decimal", operator="greaterThanOrEqual", formula1="0",
                            allow_blank=True, showErrorMessage=True, errorTitle="Valeur invalide",
                            error=("Saisir un nombre entier positif ou nul." if entier
                                   else "Saisir un nombre positif ou nul (virgule décimale)."))
    else:
        dv = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000",
                            allow_blank=True, showErrorMessage=True, errorTitle="Valeur invalide",
                            error="Saisir un nombre (virgule décimale).")
    ws.add_data_validation(dv)
    for morceau in plage.split():
        dv.add(morceau)


def _annees_texte(annees: list[int]) -> str:
    return f"{min(annees)}–{max(annees)}" if annees else "—"


# --------------------------------------------------------------------------------------------------
def generer_classeur(entite: str, annee: int, chemin: str | Path, *, domaines: list[Domaine],
                     annees_series: Iterable[int] | None = None, exemple: bool = False) -> Path:
    """Write the empty (to be filled) collection workbook of one entity and return its path.

    ``annee`` is the reference year of staff, support functions and competences; ``annees_series`` the years
    asked for spending by policy and (agglomeration only) the AC/DSC paid to each commune (default: ``annee``).
    ``exemple`` marks the workbook « Données d'exemple — ne pas diffuser » in the Identité sheet.
    """
    entite = verifier_entite(entite)
    annees = sorted({int(a) for a in (annees_series or [annee])})
    agglo = entite == SIREN_AGGLO
    nom = NOM_AGGLO if agglo else nom_entite(entite)
    sous_titre = f"{nom} — année de référence {annee}"
    wb = Workbook()
    wb.properties.creator = "orleans_gov"
    wb.properties.title = f"Collecte de données — {nom}"

    # Instructions ---------------------------------------------------------------------------------
    ws = wb.active
    ws.title = F_INSTRUCTIONS
    _titre(ws, "Collecte de données — gouvernance du bloc communal de l'agglomération d'Orléans", sous_titre)
    lignes = [
        "Ce classeur recueille les données que les sources ouvertes ne publient pas : effectifs, fonctions support,",
        "dépenses par politique publique (présentation fonctionnelle M14) et compétences exercées.",
        "",
        "Comment le remplir :",
        "• ne saisir que dans les cellules jaunes ; les autres cellules sont protégées ;",
        f"• montants en milliers d'euros (k€), effectifs au 31 décembre {annee} (ETP = équivalents temps plein) ;",
        "• saisir 0 lorsqu'il n'y a aucun agent ou aucune dépense ; une cellule vide signifie « non renseigné » ;",
        "• ne pas saisir de texte dans une cellule numérique (ni « n.d. », ni unité) : utiliser la colonne Observations ;",
        "• la ligne « Total » de la feuille Effectifs est à remplir : elle est contrôlée à l'import ;",
        "• ne pas ajouter, supprimer ou renommer de feuille ni de ligne.",
        "",
        "Sources conseillées : bilan social / rapport social unique, état du personnel annexé au compte administratif,",
        "compte administratif (présentation croisée nature × fonction), délibérations de la CLECT.",
        "",
        "Définitions des fonctions support :",
    ] + [f"• {f} : {d}" for f, d in ref.DEFINITIONS_FONCTIONS_SUPPORT.items()] + [
        "",
        "Filières : celles des cadres d'emplois de la fonction publique territoriale ; « emplois non cités » : emplois",
        "hors cadre d'emplois (collaborateurs de cabinet, emplois aidés, assistants maternels…).",
        "Statuts : titulaire (stagiaires compris) ; contractuel (agents non titulaires de droit public).",
    ]
    for i, texte in enumerate(lignes, start=4):
        ws.cell(row=i, column=1, value=texte)
    ws.column_dimensions["A"].width = 120
    _proteger(ws)

    # Identité -------------------------------------------------------------------------------------
    ws = wb.create_sheet(F_IDENTITE)
    _titre(ws, "Identité de l'entité", "Cellules pré-remplies par le cabinet : ne pas modifier.")
    code_insee = "" if agglo else entite
    siren = SIREN_AGGLO if agglo else COMMUNES[entite][0]
    valeurs = [
        ("Identifiant (code INSEE de la commune ou SIREN du groupement)", entite),
        ("Code INSEE", code_insee),
        ("SIREN", siren),
        ("Nom", nom),
        ("Niveau", "agglomération" if agglo else "commune"),
        ("Année de référence", int(annee)),
        ("Années des séries (dépenses par politique" + (", flux)" if agglo else ")"), _annees_texte(annees)),
        ("Nature des données", ref.MENTION_EXEMPLE if exemple else ref.MENTION_REEL),
        ("Version du modèle", ref.VERSION_MODELE),
    ]
    for i, (lib, val) in enumerate(valeurs, start=3):
        ws.cell(row=i, column=1, value=lib).font = Font(bold=True)
        c = ws.cell(row=i, column=2, value=val)
        c.number_format = "@" if isinstance(val, str) else "0"
        _fixe(c)
    if exemple:
        c = ws[ID_NATURE]
        c.fill = _ROUGE
        c.font = Font(bold=True, color="9C0006")
    ws.cell(row=12, column=1, value="Répondant").font = Font(bold=True, color=_BLEU)
    for ligne, lib in zip(ID_REPONDANT_LIGNES, ("Nom et prénom", "Fonction", "Courriel", "Téléphone",
                                                  "Date de saisie")):
        ws.cell(row=ligne, column=1, value=lib)
        _saisie(ws.cell(row=ligne, column=2))
    ws.column_dimensions["A"].width = 62
    ws.column_dimensions["B"].width = 48
    _proteger(ws)

    # Effectifs ------------------------------------------------------------------------------------
    ws = wb.create_sheet(F_EFFECTIFS)
    _titre(ws, f"Effectifs au 31 décembre {annee} et charges de personnel", sous_titre)
    ws["A3"] = ("Effectif = nombre d'agents rémunérés au 31/12 ; ETP = équivalents temps plein. "
                "Remplir la ligne Total (contrôlée à l'import).")
    _entete(ws, 5, ["Filière", "Catégorie", "Titulaires", "", "Contractuels", ""])
    ws.merge_cells("C5:D5")
    ws.merge_cells("E5:F5")
    _entete(ws, 6, ["", "", "Effectif (agents)", "ETP", "Effectif (agents)", "ETP"])
    ligne = EFF_PREMIERE_LIGNE
    for fil in ref.FILIERES:
        for cat in ref.CATEGORIES:
            _fixe(ws.cell(row=ligne, column=1, value=fil))
            _fixe(ws.cell(row=ligne, column=2, value=cat))
            for col in EFF_COLONNES.values():
                c = ws[f"{col}{ligne}"]
                _saisie(c)
                c.number_format = "0" if col in "CE" else "0.0"
            ligne += 1
    t = EFF_LIGNE_TOTAL
    ws.cell(row=t, column=1, value=LIBELLE_TOTAL).font = Font(bold=True)
    for col in EFF_COLONNES.values():
        c = ws[f"{col}{t}"]
        _saisie(c)
        c.font = Font(bold=True)
        c.number_format = "0" if col in "CE" else "0.0"
    ws.cell(row=EFF_LIGNE_CONTROLE, column=1, value="Somme des lignes (calcul automatique, pour contrôle)").font = \
        Font(italic=True, color="7F7F7F")
    for col in EFF_COLONNES.values():
        c = ws[f"{col}{EFF_LIGNE_CONTROLE}"]
        c.value = f"=SUM({col}{EFF_PREMIERE_LIGNE}:{col}{t - 1})"
        c.font = Font(italic=True, color="7F7F7F")
        c.number_format = "0" if col in "CE" else "0.0"
    lc = int(EFF_CELLULE_CHARGES[1:])
    ws.cell(row=lc, column=1, value=f"Charges de personnel de l'exercice {annee} (k€, chapitre 012 ; budget principal"
            + (" et budgets annexes, comme les comptes DGFiP des groupements)" if agglo else ")")
            ).font = Font(bold=True)
    _saisie(ws[EFF_CELLULE_CHARGES])
    ws[EFF_CELLULE_CHARGES].number_format = "#,##0.0"
    _validation_nombre(ws, f"C{EFF_PREMIERE_LIGNE}:C{t} E{EFF_PREMIERE_LIGNE}:E{t}", entier=True)
    _validation_nombre(ws, f"D{EFF_PREMIERE_LIGNE}:D{t} F{EFF_PREMIERE_LIGNE}:F{t} {EFF_CELLULE_CHARGES}")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 11
    for col in "CDEF":
        ws.column_dimensions[col].width = 17
    ws.freeze_panes = f"C{EFF_PREMIERE_LIGNE}"
    _proteger(ws)

    # Fonctions support ----------------------------------------------------------------------------
    ws = wb.create_sheet(F_SUPPORT)
    _titre(ws, f"Fonctions support en {annee}", sous_titre)
    ws["A3"] = "ETP affectés à chaque fonction (0 si la fonction n'existe pas dans l'entité) et coût (k€, charges de personnel)."
    _entete(ws, 5, ["Fonction support", "Contenu", "ETP", "Coût (k€)", "Observations"])
    for i, fonc in enumerate(ref.FONCTIONS_SUPPORT):
        ligne = PREMIERE_LIGNE + i
        _fixe(ws.cell(row=ligne, column=1, value=fonc))
        _fixe(ws.cell(row=ligne, column=2, value=ref.DEFINITIONS_FONCTIONS_SUPPORT[fonc]))
        for col, fmt in ((SUP_COL_ETP, "0.0"), (SUP_COL_COUT, "#,##0.0"), ("E", "@")):
            _saisie(ws[f"{col}{ligne}"])
            ws[f"{col}{ligne}"].number_format = fmt
    derniere = PREMIERE_LIGNE + len(ref.FONCTIONS_SUPPORT) - 1
    _validation_nombre(ws, f"C{PREMIERE_LIGNE}:D{derniere}")
    for col, w in zip("ABCDE", (32, 70, 12, 14, 40)):
        ws.column_dimensions[col].width = w
    _proteger(ws)

    # Dépenses par politique -----------------------------------------------------------------------
    ws = wb.create_sheet(F_DEPENSES)
    _titre(ws, f"Dépenses réelles par fonction M14, {_annees_texte(annees)} (k€)", sous_titre)
    ws["A3"] = ("Présentation fonctionnelle du compte administratif (budget principal), opérations réelles ; "
                "la somme des fonctions doit égaler les charges de fonctionnement / emplois d'investissement.")
    _entete(ws, 5, ["Année", "Fonction (M14)", "Libellé", "Fonctionnement (k€)", "Investissement (k€)"])
    ligne = PREMIERE_LIGNE
    for an in annees:
        for code, lib in ref.FONCTIONS_M14.items():
            _fixe(ws.cell(row=ligne, column=1, value=an))
            c = ws.cell(row=ligne, column=2, value=code)
            c.number_format = "@"
            _fixe(c)
            _fixe(ws.cell(row=ligne, column=3, value=lib))
            for col in (DEP_COL_FONCT, DEP_COL_INV):
                _saisie(ws[f"{col}{ligne}"])
                ws[f"{col}{ligne}"].number_format = "#,##0.0"
            ligne += 1
    _validation_nombre(ws, f"D{PREMIERE_LIGNE}:E{max(ligne - 1, PREMIERE_LIGNE)}")
    for col, w in zip("ABCDE", (8, 15, 52, 22, 22)):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = f"D{PREMIERE_LIGNE}"
    _proteger(ws)

    # Compétences ----------------------------------------------------------------------------------
    ws = wb.create_sheet(F_COMPETENCES)
    _titre(ws, f"Compétences exercées en {annee}", sous_titre)
    ws["A3"] = ("Pour chaque domaine : l'entité l'exerce-t-elle elle-même (budget, agents) ? Oui / Non. "
                "La colonne « Répartition (statuts) » rappelle la répartition documentée.")
    _entete(ws, 5, ["Domaine de compétence", "Fonction M14", "Répartition (statuts)",
                    f"Exercée par l'entité en {annee} ?", "Observations"])
    for i, d in enumerate(domaines):
        ligne = PREMIERE_LIGNE + i
        _fixe(ws.cell(row=ligne, column=1, value=d.domaine))
        c = ws.cell(row=ligne, column=2, value=d.fonction_m14)
        c.number_format = "@"
        _fixe(c)
        _fixe(ws.cell(row=ligne, column=3, value=d.niveau))
        _saisie(ws[f"{COMP_COL_REPONSE}{ligne}"])
        _saisie(ws[f"E{ligne}"])
        for col in "AC":
            ws[f"{col}{ligne}"].alignment = Alignment(wrap_text=True, vertical="top")
    if domaines:
        dv = DataValidation(type="list", formula1='"Oui,Non"', allow_blank=True, showErrorMessage=True,
                            errorTitle="Réponse invalide", error="Choisir Oui ou Non dans la liste.")
        ws.add_data_validation(dv)
        dv.add(f"D{PREMIERE_LIGNE}:D{PREMIERE_LIGNE + len(domaines) - 1}")
    for col, w in zip("ABCDE", (70, 13, 34, 22, 40)):
        ws.column_dimensions[col].width = w
    _proteger(ws)

    # Flux communes (agglomeration only) -----------------------------------------------------------
    if agglo:
        ws = wb.create_sheet(F_FLUX)
        _titre(ws, f"Attributions de compensation et DSC versées aux communes, {_annees_texte(annees)} (k€)",
               sous_titre)
        ws["A3"] = ("Montants versés par l'agglomération à chaque commune (art. 1609 nonies C CGI) ; "
                    "une attribution négative est versée par la commune à l'agglomération.")
        _entete(ws, 5, ["Code INSEE", "Commune", "Année", "Attribution de compensation (k€)",
                        "Dotation de solidarité communautaire (k€)"])
        ligne = PREMIERE_LIGNE
        for an in annees:
            for code in sorted(COMMUNES):
                c = ws.cell(row=ligne, column=1, value=code)
                c.number_format = "@"
                _fixe(c)
                _fixe(ws.cell(row=ligne, column=2, value=nom_entite(code)))
                _fixe(ws.cell(row=ligne, column=3, value=an))
                for col in (FLUX_COL_AC, FLUX_COL_DSC):
                    _saisie(ws[f"{col}{ligne}"])
                    ws[f"{col}{ligne}"].number_format = "#,##0.0"
                ligne += 1
        _validation_nombre(ws, f"D{PREMIERE_LIGNE}:D{ligne - 1}", positif=False)
        _validation_nombre(ws, f"E{PREMIERE_LIGNE}:E{ligne - 1}")
        for col, w in zip("ABCDE", (12, 30, 8, 30, 34)):
            ws.column_dimensions[col].width = w
        ws.freeze_panes = f"D{PREMIERE_LIGNE}"
        _proteger(ws)

    wb.security = WorkbookProtection(workbookPassword=MOT_DE_PASSE, lockStructure=True)
    return _enregistrer(wb, chemin)


def _enregistrer(wb: Workbook, chemin: str | Path) -> Path:
    """Save a workbook atomically (written next to it, then moved in: never a half-written .xlsx)."""
    tmp = chemin_temporaire(chemin)
    try:
        wb.save(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return remplacer_atomique(tmp, chemin)


def generer_classeurs(sortie: str | Path, annee: int, *, domaines: list[Domaine],
                      annees_series: Iterable[int] | None = None, entites: Iterable[str] = ENTITES,
                      exemple: bool = False) -> list[Path]:
    """Write one empty workbook per entity (22 communes + the agglomeration) into ``sortie``."""
    sortie = Path(sortie)
    annees = list(annees_series) if annees_series is not None else None
    return [generer_classeur(e, annee, sortie / nom_fichier(e), domaines=domaines, annees_series=annees,
                             exemple=exemple) for e in entites]


# --------------------------------------------------------------------------------------------------
# Filling a workbook from tidy frames (sample data, tests, pre-filling last year's answers)
def _lignes_par_cle(ws, premiere: int, colonnes: tuple[str, ...]) -> dict[tuple, int]:
    lignes: dict[tuple, int] = {}
    r = premiere
    while ws[f"A{r}"].value not in (None, "") and ws[f"A{r}"].value != LIBELLE_TOTAL:
        lignes[tuple(str(ws[f"{c}{r}"].value) for c in colonnes)] = r
        r += 1
    return lignes


def _ecrire(ws, cellule: str, valeur) -> None:
    if valeur is None or (not isinstance(valeur, str) and pd.isna(valeur)):
        ws[cellule].value = None
    elif isinstance(valeur, str):
        ws[cellule].value = valeur
    else:
        v = float(valeur)
        ws[cellule].value = int(v) if v.is_integer() and abs(v) < 2**53 else v


def remplir_classeur(chemin: str | Path, donnees: Mapping[str, pd.DataFrame | float | None]) -> Path:
    """Fill the input cells of a generated workbook from tidy frames (same columns as the imported CSVs).

    Keys of ``donnees`` (all optional): ``effectifs`` (filiere, categorie, statut, effectif, etp),
    ``charges_personnel`` (float, k€), ``totaux`` (dict statut → (effectif, etp); default: sum of the lines),
    ``fonctions_support`` (fonction_support, etp, cout), ``depenses_fonction`` (an, fonction, section, montant),
    ``competences_exercees`` (domaine, exercee), ``flux_agglo_communes`` (code_insee, an,
    attribution_compensation, dsc). Unknown lines raise ``KeyError``.
    """
    chemin = Path(chemin)
    wb = load_workbook(chemin)
    eff = donnees.get("effectifs")
    if eff is not None:
        ws = wb[F_EFFECTIFS]
        lignes = _lignes_par_cle(ws, EFF_PREMIERE_LIGNE, ("A", "B"))
        for r in eff.itertuples(index=False):
            ligne = lignes[(r.filiere, r.categorie)]
            _ecrire(ws, f"{EFF_COLONNES[(r.statut, 'effectif')]}{ligne}", r.effectif)
            _ecrire(ws, f"{EFF_COLONNES[(r.statut, 'etp')]}{ligne}", r.etp)
        totaux = donnees.get("totaux")
        for statut in ref.STATUTS:
            sous = eff[eff["statut"] == statut]
            if totaux is not None:
                eff_t, etp_t = totaux[statut]
            else:
                eff_t = sous["effectif"].sum(min_count=1)
                etp_t = round(float(sous["etp"].sum(min_count=1)), 6)
            _ecrire(ws, f"{EFF_COLONNES[(statut, 'effectif')]}{EFF_LIGNE_TOTAL}", eff_t)
            _ecrire(ws, f"{EFF_COLONNES[(statut, 'etp')]}{EFF_LIGNE_TOTAL}", etp_t)
    if donnees.get("charges_personnel") is not None:
        _ecrire(wb[F_EFFECTIFS], EFF_CELLULE_CHARGES, donnees["charges_personnel"])
    sup = donnees.get("fonctions_support")
    if sup is not None:
        ws = wb[F_SUPPORT]
        lignes = _lignes_par_cle(ws, PREMIERE_LIGNE, ("A",))
        for r in sup.itertuples(index=False):
            ligne = lignes[(r.fonction_support,)]
            _ecrire(ws, f"{SUP_COL_ETP}{ligne}", r.etp)
            _ecrire(ws, f"{SUP_COL_COUT}{ligne}", r.cout)
    dep = donnees.get("depenses_fonction")
    if dep is not None:
        ws = wb[F_DEPENSES]
        lignes = _lignes_par_cle(ws, PREMIERE_LIGNE, ("A", "B"))
        for r in dep.itertuples(index=False):
            ligne = lignes[(str(int(r.an)), str(r.fonction))]
            col = DEP_COL_FONCT if r.section == "fonctionnement" else DEP_COL_INV
            _ecrire(ws, f"{col}{ligne}", r.montant)
    comp = donnees.get("competences_exercees")
    if comp is not None:
        ws = wb[F_COMPETENCES]
        lignes = _lignes_par_cle(ws, PREMIERE_LIGNE, ("A",))
        for r in comp.itertuples(index=False):
            val = None if pd.isna(r.exercee) else ("Oui" if bool(r.exercee) else "Non")
            _ecrire(ws, f"{COMP_COL_REPONSE}{lignes[(r.domaine,)]}", val)
    flux = donnees.get("flux_agglo_communes")
    if flux is not None:
        ws = wb[F_FLUX]
        lignes = _lignes_par_cle(ws, PREMIERE_LIGNE, ("A", "C"))
        for r in flux.itertuples(index=False):
            ligne = lignes[(str(r.code_insee), str(int(r.an)))]
            _ecrire(ws, f"{FLUX_COL_AC}{ligne}", r.attribution_compensation)
            _ecrire(ws, f"{FLUX_COL_DSC}{ligne}", r.dsc)
    return _enregistrer(wb, chemin)
