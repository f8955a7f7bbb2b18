"""How compiled templates hand over their output: each run of text and `{{ }}` values in one
piece, each value escaped in one step.

Jinja compiles a template to a generator that yields every piece of text and every `{{ }}`
value on its own, and each yield travels up through every enclosing template: on the booking
page the card's pieces pass through its include, the page's block, base.html and the page
itself, about 600 generator resumptions a page. Here one output (a run of text and values
between two tags) is joined and yielded once. And every value goes through markupsafe's
escape(), which wraps the escaped text in a new Markup (five Python calls for a plain string,
seven for an already-escaped translation); only its text is ever used (joined into the page),
so a string is escaped by markupsafe's own inner function and a Markup is used as it is.

The same pieces, escaped alike, joined in the same order: the page is the same string. Outputs
Jinja writes into a buffer (macros, `{% set %}` blocks, `{% call %}` bodies) keep their buffer
(their values escaped as above), the top level of a template that extends another (never
shown) and templates without autoescape compile as Jinja compiles them.

And `booking.ref` on a variable is compiled to Python's getattr with a default, not to a call of
Environment.getattr (which tries getattr, then `obj["ref"]`, then the undefined): a page reads
about fifty attributes, each a Python call more than its value needs. The same answer: the
attribute if getattr finds it, else (an AttributeError only, as there) the item or undefined.
Likewise each name a function of the template reads from its context (`resolve("booking")`,
Context.resolve_or_missing: forty Python calls a booking page) is written out as that method
reads it: the template's own variables, then the render's, else Jinja's `missing`.
"""
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from jinja2.environment import Environment
from jinja2.idtracking import (VAR_LOAD_ALIAS, VAR_LOAD_PARAMETER, VAR_LOAD_RESOLVE,
                               VAR_LOAD_UNDEFINED)
from jinja2.runtime import Context
from markupsafe import Markup, escape

# The name compiled templates reach the helpers by: `environment` is in every template's
# namespace (jinja2's Template.from_code), so they are an attribute of it.
_NAME = "rebook_output"
# markupsafe's escaping of a str, without the Markup escape() wraps it in (its C speedup where
# built); escape() itself if a later markupsafe no longer has it
_escape_text = getattr(markupsafe, "_escape_inner", None)


def escaped(value):
    """escape(value)'s text."""
    kind = type(value)
    if kind is str and _escape_text is not None:
        return _escape_text(value)
    if kind is Markup:  # escape() would return a copy of it (its __html__ is itself)
        return value
    return escape(value)


class JoinedPieces:
    """What the compiled code calls: `<buffer>.extend((a, b, …))` and `<buffer>.append(a)` as
    Jinja writes a buffered output, answering with the joined text; `escape(value)`."""
    extend = "".join
    append = str  # a lone piece: already a string (escaped or Jinja's str())
    escape = staticmethod(escaped)
    text = staticmethod(_escape_text) if _escape_text is not None else None

    @staticmethod
    def item(environment, obj, attribute):
        """The rest of Environment.getattr, once getattr found no such attribute."""
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return environment.undefined(obj=obj, name=attribute)


_FOUND = "t_rebook_attribute"  # the compiled code's name for the attribute getattr found
_VALUE = "t_rebook_value"  # and for a value being escaped


class JoinedOutput(CodeGenerator):
    def visit_Output(self, node, frame):
        if frame.buffer is not None or frame.require_output_check:
            return super().visit_Output(node, frame)
        # Jinja's own compilation of the output into a buffer, with `yield` in front:
        # `yield environment.rebook_output.extend((…, …))` instead of one yield per piece.
        frame.buffer = f"yield environment.{_NAME}"
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None

    def _output_child_pre(self, node, frame, finalize):
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            return super()._output_child_pre(node, frame, finalize)
        if _escape_text is None:
            self.write(f"environment.{_NAME}.escape(")  # where Jinja writes `escape(`
        else:
            # escaped() written out for the common case, a plain str (no call of escaped):
            # (text(v) if (v := value).__class__ is str else escape(v))
            self.write(f"(environment.{_NAME}.text({_VALUE}) if ({_VALUE} := ")
        if finalize.src is not None:
            self.write(finalize.src)

    def _output_child_post(self, node, frame, finalize):
        if (frame.eval_ctx.volatile or not frame.eval_ctx.autoescape
                or _escape_text is None):
            return super()._output_child_post(node, frame, finalize)
        if finalize.src is not None:
            self.write(")")
        self.write(f").__class__ is str else environment.{_NAME}.escape({_VALUE}))")


    def enter_frame(self, frame):
        """Jinja's enter_frame, with `l_0_x = resolve('x')` (resolve: the context's
        resolve_or_missing) written out as that method reads: `l_0_x = (context.vars['x'] if
        'x' in context.vars else context.parent['x'] if 'x' in context.parent else missing)`,
        no call at all: only where `resolve` is the context's and the
        context class reads names as Jinja's own does (else Jinja's own, whole)."""
        own = self.environment.context_class.resolve_or_missing is Context.resolve_or_missing
        if not own or self._context_reference_stack[-1] != "context":
            return super().enter_frame(frame)
        undefs = []
        for target, (action, param) in frame.symbols.loads.items():
            if action == VAR_LOAD_RESOLVE:
                self.writeline(f"{target} = (context.vars[{param!r}] if {param!r} in context.vars"
                               f" else context.parent[{param!r}] if {param!r} in context.parent"
                               " else missing)")
            elif action == VAR_LOAD_ALIAS:
                self.writeline(f"{target} = {param}")
            elif action == VAR_LOAD_UNDEFINED:
                undefs.append(target)
            elif action != VAR_LOAD_PARAMETER:
                raise NotImplementedError("unknown load instruction")
        if undefs:
            self.writeline(f"{' = '.join(undefs)} = missing")

    @optimizeconst
    def visit_Getattr(self, node, frame):
        # `x.name` where x is a variable (reading it twice reads the same value; any other
        # expression is evaluated once, as Jinja does), and only where getattr is Jinja's own
        # (a sandbox checks each attribute in its getattr):
        # (found if (found := getattr(x, "name", missing)) is not missing else item(x, "name"))
        # `missing` is Jinja's marker for "no such value", never an attribute's value.
        env = self.environment
        if (env.is_async or not isinstance(node.node, nodes.Name)
                or type(env).getattr is not Environment.getattr):
            return super().visit_Getattr(node, frame)
        self.write(f"({_FOUND} if ({_FOUND} := getattr(")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}, missing)) is not missing else environment.{_NAME}.item("
                   "environment, ")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r}))")


def init_app(app):
    """Before any template is compiled (compiled ones keep their code: the same output)."""
    env = app.jinja_env
    setattr(env, _NAME, JoinedPieces)
    env.code_generator_class = JoinedOutput
