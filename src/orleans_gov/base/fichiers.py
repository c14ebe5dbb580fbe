"""File mechanics shared by every layer: atomic writes and content fingerprints (one implementation each).

- :func:`ecrire_atomique` writes bytes or text next to the target then moves it in with :func:`os.replace`, so a
  reader (a concurrent build, a notebook, an interrupted run) never sees a half-written file;
- :func:`ecrire_parquet` writes a deterministic Parquet file (no pandas index, no creation metadata, fixed
  compression): the same frame gives the same bytes, which ``make data`` relies on to rebuild byte-identically;
- :func:`empreinte_fichier` / :func:`empreinte_fichiers` are the sha256 fingerprints used by the manifests, the
  caches and the sample's regeneration check.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from orleans_gov.base.erreurs import ErreurDonnees

TAILLE_BLOC = 1 << 20


def exiger_fichier(chemin: str | os.PathLike, *, vide_admis: bool = False) -> Path:
    """``chemin`` as a :class:`Path` if it is a readable regular file; otherwise :class:`ErreurDonnees` saying
    why (absent, a folder, empty, unreadable): every reader calls this before opening its input."""
    chemin = Path(chemin)
    if not chemin.exists():
        raise ErreurDonnees("fichier introuvable", fichier=chemin)
    if chemin.is_dir():
        raise ErreurDonnees("c'est un dossier, un fichier est attendu", fichier=chemin)
    if not os.access(chemin, os.R_OK):
        raise ErreurDonnees("fichier illisible (droits de lecture refusés)", fichier=chemin)
    if not vide_admis and chemin.stat().st_size == 0:
        raise ErreurDonnees("le fichier est vide", fichier=chemin)
    return chemin


def lire_octets(chemin: str | os.PathLike) -> bytes:
    """The bytes of a file checked by :func:`exiger_fichier` (an OS error becomes an :class:`ErreurDonnees`)."""
    chemin = exiger_fichier(chemin, vide_admis=True)
    try:
        return chemin.read_bytes()
    except OSError as exc:
        raise ErreurDonnees(f"fichier illisible ({exc.strerror or exc})", fichier=chemin) from None


def _dossier_inscriptible(dossier: Path) -> None:
    """Create ``dossier`` if needed; :class:`ErreurDonnees` naming it when it cannot be written to."""
    try:
        dossier.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ErreurDonnees(f"impossible de créer le dossier ({exc.strerror or exc})", fichier=dossier) from None
    if not dossier.is_dir():
        raise ErreurDonnees("un fichier occupe la place du dossier attendu", fichier=dossier)
    if not os.access(dossier, os.W_OK | os.X_OK):
        raise ErreurDonnees("dossier en lecture seule : impossible d'y écrire (vérifier les droits)", fichier=dossier)


def verifier_inscriptible(dossier: str | os.PathLike) -> Path:
    """Check before a long computation that ``dossier`` can be written to (created if needed)."""
    dossier = Path(dossier)
    _dossier_inscriptible(dossier)
    return dossier


def _mkstemp(cible: Path) -> tuple[int, str]:
    _dossier_inscriptible(cible.parent)
    try:
        return tempfile.mkstemp(prefix=f".{cible.name}.", suffix=".tmp", dir=cible.parent)
    except OSError as exc:
        raise ErreurDonnees(f"impossible d'écrire dans le dossier ({exc.strerror or exc})",
                            fichier=cible.parent) from None


def ecrire_atomique(chemin: str | os.PathLike, contenu: bytes | str, *, encodage: str = "utf-8") -> Path:
    """Write ``contenu`` to ``chemin`` atomically (temporary file in the same folder, then ``os.replace``)."""
    chemin = Path(chemin)
    donnees = contenu.encode(encodage) if isinstance(contenu, str) else contenu
    fd, tmp = _mkstemp(chemin)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(donnees)
        os.replace(tmp, chemin)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return chemin


def remplacer_atomique(source: str | os.PathLike, cible: str | os.PathLike) -> Path:
    """Move an already-written file or folder into place (same file system): the one ``os.replace`` of the package."""
    cible = Path(cible)
    cible.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, cible)
    return cible


def chemin_temporaire(cible: str | os.PathLike) -> Path:
    """A temporary path next to ``cible`` (same folder, hence same file system) for writers that need a path."""
    cible = Path(cible)
    fd, tmp = _mkstemp(cible)
    os.close(fd)
    return Path(tmp)


def ecrire_parquet(df, chemin: str | os.PathLike) -> Path:
    """Deterministic Parquet: no pandas index, no pandas metadata, zstd, no statistics; written atomically.

    A GeoDataFrame is written with geopandas (GeoParquet metadata kept: it is deterministic for the same frame).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    chemin = Path(chemin)
    tmp = chemin_temporaire(chemin)
    try:
        if hasattr(df, "geometry") and hasattr(df, "to_parquet") and type(df).__name__ == "GeoDataFrame":
            df.to_parquet(tmp, index=False, compression="zstd")
        else:
            table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
            table = table.replace_schema_metadata({k: v for k, v in (table.schema.metadata or {}).items()
                                                   if k != b"pandas"})
            pq.write_table(table, tmp, compression="zstd", write_statistics=False)
        os.replace(tmp, chemin)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return chemin


def empreinte_octets(donnees: bytes) -> str:
    """sha256 hex digest of bytes."""
    return hashlib.sha256(donnees).hexdigest()


def empreinte_fichier(chemin: str | os.PathLike) -> str:
    """sha256 hex digest of a file's content (read by blocks: national files weigh hundreds of MB)."""
    h = hashlib.sha256()
    with open(chemin, "rb") as f:
        for bloc in iter(lambda: f.read(TAILLE_BLOC), b""):
            h.update(bloc)
    return h.hexdigest()


def empreinte_fichiers(chemins: Iterable[str | os.PathLike], racine: str | os.PathLike | None = None,
                       *, prefixe: str = "") -> str:
    """One sha256 over several files: for each (sorted) file its path relative to ``racine`` then its content.

    ``prefixe`` is hashed first (a version number, parameters). A missing file counts as ``<absent>``.
    """
    h = hashlib.sha256(prefixe.encode())
    racine = Path(racine) if racine is not None else None
    for p in sorted(Path(c) for c in chemins):
        nom = p.relative_to(racine).as_posix() if racine is not None else p.as_posix()
        h.update(nom.encode())
        if p.exists():
            with open(p, "rb") as f:
                for bloc in iter(lambda: f.read(TAILLE_BLOC), b""):
                    h.update(bloc)
        else:
            h.update(b"<absent>")
    return h.hexdigest()


def fichiers_visibles(dossier: str | os.PathLike) -> list[Path]:
    """Files under ``dossier`` (sorted), without hidden files (locks, state files, caches), ``__pycache__`` and
    ``.pyc``; ``[]`` when the folder does not exist. The file set that fingerprints of inputs cover (deliverables:
    :mod:`orleans_gov.rendu.entrees`; the data build: :mod:`orleans_gov.construction.etat`)."""
    dossier = Path(dossier)
    if not dossier.is_dir():
        return []
    return sorted(p for p in dossier.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                  and not any(x.startswith(".") for x in p.relative_to(dossier).parts) and p.suffix != ".pyc")


def version_paquet(nom: str, defaut: str = "absent") -> str:
    """Installed version of a distribution, ``defaut`` when it is not installed."""
    try:
        return importlib.metadata.version(nom)
    except importlib.metadata.PackageNotFoundError:
        return defaut
