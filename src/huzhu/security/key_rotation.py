"""Rotating HUZHU_DATA_KEY (or switching HUZHU_CRYPTO): every encrypted column re-encrypted, every blind
index recomputed, in batches. A suite switch (AES → SM4, or back) is a rotation like a key change:
the previous keying (core/crypto.py: HUZHU_DATA_KEY_PREVIOUS and/or HUZHU_CRYPTO_PREVIOUS) opens and
finds what it wrote until the run has moved it.

The columns are found by walking the models for `EncryptedField`, so a new one cannot be missed.
A table is read in primary-key order, `batch` rows at a time among those not yet under the
current key; each batch is decrypted and re-encrypted in memory, then written back (ciphertexts
and their indexes together) in one transaction with one audit event: counts and key ids, never
keys. The write compares the old ciphertexts, so a row changed by someone else meanwhile keeps
that change and is picked up by the next run. Rows under the current key are never read again:
an interrupted run resumes where it stopped, and a finished one re-runs as a no-op.

Before anything is written, every value waiting to be rotated is checked to come from a key we
hold (key ids; a sample of each column's old `v1:` values), so a wrong or missing
HUZHU_DATA_KEY_PREVIOUS is refused with nothing changed.
"""
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, Q, Value
from django.db.models.functions import Greatest, StrIndex, Substr

from huzhu.audit.services import record_event
from huzhu.core import crypto
from huzhu.core.bulk import update_rows
from huzhu.core.errors import DomainError

DEFAULT_BATCH = 2000


class RotationRefused(DomainError):
    """The keys configured cannot rotate what is stored; nothing was changed by the refusal."""

    http_status = 409


@dataclass(frozen=True)
class EncryptedTable:
    """A model's encrypted columns and, for each that has one, its blind-index column."""

    model: type[models.Model]
    columns: tuple[str, ...]
    indexes: dict[str, str]

    @property
    def label(self) -> str:
        return self.model._meta.label


def encrypted_tables() -> list[EncryptedTable]:
    """Every concrete model with `EncryptedField` columns, in registry order."""
    tables = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, crypto.EncryptedField)]
        if fields:
            tables.append(EncryptedTable(model, tuple(f.attname for f in fields),
                                         {f.attname: f.blind_index for f in fields if f.blind_index}))
    return tables


def _not_current(column: str) -> Q:
    return Q(**{f"{column}__gt": ""}) & ~Q(**{f"{column}__startswith": crypto.current_tag() + ":"})


def _pending(table: EncryptedTable) -> models.QuerySet:
    """The table's rows holding a value under another key than the current one."""
    condition = Q()
    for column in table.columns:
        condition |= _not_current(column)
    return table.model._base_manager.filter(condition)


@dataclass
class TableSurvey:
    """What a rotation would change in one table."""

    table: EncryptedTable
    rows: int = 0
    tags: dict[str, Counter] = field(default_factory=dict)  # column → {ciphertext tag: values}
    # Rows with an index but no ciphertext (a staged roster row matched to a registered worker):
    # nothing to recompute the index from, so it stays under the old key.
    orphan_indexes: int = 0


def survey() -> list[TableSurvey]:
    """Per table: rows to rotate and their values per column and key tag (one GROUP BY per column)."""
    surveys = []
    for table in encrypted_tables():
        found = TableSurvey(table, rows=_pending(table).count())
        manager = table.model._base_manager
        for column in table.columns:
            tag = Substr(column, 1, Greatest(StrIndex(column, Value(":")) - 1, 0))  # "" when no tag at all
            rows = (manager.filter(_not_current(column)).annotate(tag=tag).order_by()
                    .values("tag").annotate(n=Count("pk")).values_list("tag", "n"))
            found.tags[column] = Counter(dict(rows))
        for column, index in table.indexes.items():
            found.orphan_indexes += manager.filter(**{column: ""}).exclude(**{index: ""}).count()
        surveys.append(found)
    return surveys


def check_keys(surveys: list[TableSurvey]) -> None:
    """Refuse (nothing written) unless every value waiting to be rotated opens with a configured key."""
    current, previous = crypto.current_tag(), crypto.previous_tag()
    if crypto.previous_key() and previous is None:
        raise RotationRefused("same_data_key", "HUZHU_DATA_KEY_PREVIOUS 与 HUZHU_DATA_KEY 是同一个密钥（算法也相同），无需轮换")
    known = {crypto.LEGACY_TAG, current} | ({previous} if previous else set())
    for found in surveys:
        for column, tags in found.tags.items():
            unknown = {tag: n for tag, n in tags.items() if tag not in known}
            if unknown:
                listed = "、".join(f"{tag}（{n} 个）" for tag, n in sorted(unknown.items()))
                held = f"上一配置（HUZHU_DATA_KEY_PREVIOUS、HUZHU_CRYPTO_PREVIOUS）的标识为 {previous}" if previous else \
                    "未设置 HUZHU_DATA_KEY_PREVIOUS 或 HUZHU_CRYPTO_PREVIOUS"
                raise RotationRefused(
                    "unknown_data_key", f"{found.table.label}.{column} 中有旧密钥或旧算法加密的数据：{listed}；"
                    f"{held}，与之不符。请把写入这些数据时使用的密钥设为 HUZHU_DATA_KEY_PREVIOUS"
                    f"（v2 为 AES、sm4 为国密 SM4，算法不同时设 HUZHU_CRYPTO_PREVIOUS），未做任何修改")
            if tags.get(crypto.LEGACY_TAG):
                _check_legacy_sample(found.table, column)


def _check_legacy_sample(table: EncryptedTable, column: str) -> None:
    """Old `v1:` values carry no key id: one of them must open with the current or the previous key."""
    sample = (table.model._base_manager.filter(**{f"{column}__startswith": crypto.LEGACY_TAG + ":"})
              .order_by("pk").values_list("pk", column).first())
    if sample is None:
        return
    try:
        crypto.decrypt_text(sample[1])
    except crypto.UnreadableCiphertext as exc:
        hint = "请设置 HUZHU_DATA_KEY_PREVIOUS 为原密钥" if not crypto.previous_tag() else \
            "HUZHU_DATA_KEY_PREVIOUS 不是写入这些数据时的密钥"
        raise RotationRefused(
            "unknown_data_key", f"{table.label}.{column}（第 {sample[0]} 行）无法用现有密钥解密：{hint}，"
            "未做任何修改") from exc


@dataclass
class RotationReport:
    """What a run did (or, dry, would do): rows and values per table, and what it left."""

    dry_run: bool
    from_tag: str | None
    to_tag: str
    rows: Counter = field(default_factory=Counter)  # table label → rows rewritten
    values: Counter = field(default_factory=Counter)  # table label → ciphertexts re-encrypted
    batches: int = 0
    changed_meanwhile: int = 0  # rows someone wrote between our read and our write: left for the next run
    kept_indexes: int = 0  # indexes that are not the index of their value (kept as they are)
    orphan_indexes: int = 0
    finished: bool = True

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


Progress = Callable[[str, int, int], None]  # (table label, rows done, rows to do)


def rotate_data_key(*, actor, batch: int = DEFAULT_BATCH, dry_run: bool = False, max_batches: int | None = None,
                    progress: Progress | None = None) -> RotationReport:
    """Move every encrypted value and blind index to HUZHU_DATA_KEY; resumable, a no-op once done."""
    if batch < 1:
        raise RotationRefused("invalid_batch", "每批行数至少为 1")
    surveys = survey()
    report = RotationReport(dry_run=dry_run, from_tag=crypto.previous_tag(), to_tag=crypto.current_tag())
    report.orphan_indexes = sum(s.orphan_indexes for s in surveys)
    if not any(s.rows for s in surveys):
        return report
    check_keys(surveys)
    for found in surveys:
        if dry_run:
            report.rows[found.table.label] = found.rows
            report.values[found.table.label] = sum(sum(tags.values()) for tags in found.tags.values())
            continue
        done, after_pk = 0, None
        while found.rows:
            if max_batches is not None and report.batches >= max_batches:
                report.finished = False
                return report
            rows = _read_batch(found.table, after_pk, batch)
            if not rows:
                break
            after_pk = rows[-1][0]
            _rotate_batch(actor, found.table, rows, report)
            done += len(rows)
            if progress:
                progress(found.table.label, done, found.rows)
    return report


def _read_batch(table: EncryptedTable, after_pk, limit: int) -> list[tuple]:
    """The next `limit` rows to rotate after `after_pk`: one range read on the primary key."""
    pending = _pending(table).order_by("pk")
    if after_pk is not None:
        pending = pending.filter(pk__gt=after_pk)
    return list(pending.values_list("pk", *table.columns, *table.indexes.values())[:limit])


def _rotate_batch(actor, table: EncryptedTable, rows: list[tuple], report: RotationReport) -> None:
    """Re-encrypt one batch in memory, then write it (ciphertexts and indexes at once) with its audit event."""
    columns, index_columns = table.columns, list(table.indexes.values())
    prefix = crypto.current_tag() + ":"
    widths = {c: table.model._meta.get_field(c).max_length for c in columns}
    updates, old_tags = [], Counter()
    for row in rows:
        pk, tokens = row[0], dict(zip(columns, row[1:1 + len(columns)], strict=True))
        stored_indexes = dict(zip(index_columns, row[1 + len(columns):], strict=True))
        new_tokens, new_indexes = dict(tokens), dict(stored_indexes)
        for column, token in tokens.items():
            if not token or token.startswith(prefix):
                continue
            try:
                plain = crypto.decrypt_text(token)
            except crypto.UnreadableCiphertext as exc:
                raise RotationRefused("unknown_data_key", f"{table.label}.{column}（第 {pk} 行）无法用现有密钥解密，"
                                      f"本批未修改，此前各批已完成：{exc}") from exc
            new_tokens[column] = crypto.encrypt_text(plain)
            old_tags[crypto.tag_of(token)] += 1
            if len(new_tokens[column]) > widths[column]:
                raise RotationRefused("ciphertext_too_long", f"{table.label}.{column} 的新密文长度 "
                                      f"{len(new_tokens[column])} 超过列宽 {widths[column]}，本批未修改")
            index = table.indexes.get(column)
            if index:
                # The index is recomputed when it is this value's index (or missing); an index keyed
                # on something else (the actuarial sample's "number#sequence") is kept as it is.
                if stored_indexes[index] in ("", *crypto.blind_indexes(plain)):
                    new_indexes[index] = crypto.blind_index(plain)
                else:
                    report.kept_indexes += 1
        updates.append((pk, *new_tokens.values(), *new_indexes.values(), *tokens.values()))
    with transaction.atomic():
        changed = update_rows(table.model._meta.db_table, table.model._meta.pk.column,
                              [table.model._meta.get_field(c).column for c in (*columns, *index_columns)],
                              updates, expected=[table.model._meta.get_field(c).column for c in columns])
        record_event(actor=actor, action="rotate_data_key", object_type=table.label,
                     object_id=f"{rows[0][0]}-{rows[-1][0]}",
                     after={"rows": changed, "values_from": dict(old_tags), "to": crypto.current_tag()})
    report.batches += 1
    report.rows[table.label] += changed
    report.values[table.label] += sum(old_tags.values())
    report.changed_meanwhile += len(rows) - changed
