"""Model instances from one hand-written joined SELECT, for the few queries run on every API
call (issue 15). Compiling a `select_related` ORM query costs more CPU than running it (the
token lookup: ~1 ms of compiler per call for a 0.1 ms index read), so those queries are
written once as SQL and their rows turned back into instances the way Django's own iterator
does it (`Model.from_db` after the fields' database converters).

The column lists come from each model's `_meta`, so a field added to a model is read here too
with no edit: only the joins are written by hand."""

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import post_init, pre_init


def _converters(fields, alias: str, connection) -> list:
    """(index, column, converters) of the fields that have any: what Django's compiler
    applies to a fetched value (SQLCompiler.get_converters), the backend's then the field's."""
    out = []
    for index, field in enumerate(fields):
        col = field.get_col(alias)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            out.append((index, col, found))
    return out


def _convert(values: list, converters, connection) -> list:
    for index, col, found in converters:
        value = values[index]
        for converter in found:
            value = converter(value, col, connection)
        values[index] = value
    return values


def _plain(model, attnames: list[str]) -> bool:
    """Whether an instance of `model` is only its values: Model.from_db not overridden, no
    field stored through a descriptor of its own (`__set__`; a foreign key's only clears a
    cached related object, which a new instance has not), no pre_init or post_init
    receiver. Such an instance can be made the way unpickling does, without Model.__init__'s
    per-field setattr and two signal sends (issue 15: the token lookup builds four per API
    call). Receivers are checked once per process: none connects after start-up."""
    if model.from_db.__func__ is not Model.from_db.__func__:
        return False
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return False
    for name in attnames:
        descriptor = model.__dict__.get(name)
        if hasattr(descriptor, "__set__") and type(descriptor) is not ForeignKeyDeferredAttribute:
            return False
    return True


class ModelColumns:
    """The concrete columns of `model` under the table alias `alias`: their SQL, and how to
    turn a row's slice of values back into an instance."""

    def __init__(self, model, alias: str, using: str = "default"):
        connection = connections[using]
        quote = connection.ops.quote_name
        self.model = model
        self.alias = alias
        self.using = using
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
        self.width = len(fields)
        self.pk_index = self.attnames.index(model._meta.pk.attname)
        self.converters = _converters(fields, alias, connection)
        self.plain = _plain(model, self.attnames)

    @property
    def table(self) -> str:
        return connections[self.using].ops.quote_name(self.model._meta.db_table)

    def build(self, row, start: int):
        """The instance held in row[start:start + width], or None when its primary key is
        NULL (the missing side of a LEFT JOIN)."""
        values = list(row[start : start + self.width])
        if values[self.pk_index] is None:
            return None
        values = _convert(values, self.converters, connections[self.using])
        if not self.plain:
            return self.model.from_db(self.using, self.attnames, values)
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, values, strict=True))
        state = instance._state = ModelState()
        state.adding = False
        state.db = self.using
        return instance


class FieldColumns:
    """Some columns of `model` under `alias`, read as plain values (no instance): for a page
    that shows a few fields of many rows. `values(row, start)` converts them as Django would
    (a SQLite datetime arrives as text, for one)."""

    def __init__(self, model, alias: str, names: list[str], using: str = "default"):
        connection = connections[using]
        quote = connection.ops.quote_name
        fields = [model._meta.get_field(name) for name in names]
        self.using = using
        self.sql = ", ".join(f"{alias}.{quote(f.column)}" for f in fields)
        self.width = len(fields)
        self.converters = _converters(fields, alias, connection)

    def values(self, row, start: int = 0) -> list:
        values = list(row[start : start + self.width])
        return _convert(values, self.converters, connections[self.using])
