//! Partials rendered in place (SPEC section 9: letters from templates, at the speed a run of
//! thousands of letters needs).
//!
//! Handlebars renders `{{> letter_invoices}}` by deep-copying the whole data the caller sees
//! (the letter, the customer, every invoice and all of the language's `words`) into a new
//! block, and every `{{x}}` inside the partial then copies the value it looks up out of that
//! copy. The built-in layout calls about twenty partials per letter, so most of a letter's
//! rendering was copying. [`rewrite`] replaces, once when the templates are loaded (built-ins
//! and the user's overrides alike), each `{{> name}}` that has no parameters and no hash by a
//! call of the helper [`IN_PLACE`], which renders the same partial, found the same way
//! (inline partials first, then the registered ones, so an override still takes effect), over
//! the same data in a new block that points at the caller's data instead of copying it. A call
//! with a hash (`{{> letter_totals total_label=words.to_pay}}`) is rewritten too where the
//! partial reads its data by name only ([`hash_in_place`]).
//!
//! What the rewrite leaves to Handlebars, because the in-place call could not do it the same:
//! - a partial with a context parameter (`{{> letter_totals invoices}}`), or with a hash where
//!   it (or a partial it calls) sees its data whole or through `this`;
//! - every call inside a template that some call renders with an indent (`    {{> x}}` on its
//!   own line indents each line `x` writes; Handlebars keeps that indent where a helper cannot
//!   set it, so nothing rendered under one is rewritten, and an indented call itself stays;
//!   the built-in templates call every partial at the start of its line for this reason);
//! - everything, when any template uses a partial block (`{{#> x}}`, `@partial-block`), a
//!   partial name computed at render time, or an inline partial whose name is not a literal.
//!
//! The output, the errors (template name, line, column) and the files a user can override are
//! those of Handlebars: `letters::tests` renders every built-in template in every language
//! both ways and compares, and does the same for overridden, indented and faulty partials.

use std::collections::{HashMap, HashSet};

use handlebars::Path;
use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{
    BlockContext, BlockParamHolder, Context, Handlebars, Helper, HelperDef, HelperResult, Output,
    RenderContext, RenderErrorReason, Renderable,
};

/// The helper a rewritten `{{> name}}` calls, with the partial's name as its parameter.
pub const IN_PLACE: &str = "__dun_partial";

/// Registers [`IN_PLACE`]; [`rewrite`] needs it in the registry it rewrites.
pub fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper(IN_PLACE, Box::new(InPlace));
}

/// Rewrites the registry's templates' partial calls that can be rendered in place (see the
/// module documentation); leaves all of them to Handlebars when it cannot tell.
pub fn rewrite(registry: &mut Handlebars<'static>) {
    let mut templates: Vec<(String, Template)> =
        registry.get_templates().iter().map(|(name, t)| (name.clone(), t.clone())).collect();
    templates.sort_by(|a, b| a.0.cmp(&b.0));
    let mut indented = HashSet::new();
    for (_, template) in &templates {
        if !survey(template, &mut indented) {
            return;
        }
    }
    let known = Known::of(&templates);
    let rewritten: Vec<(String, Template)> = templates
        .iter()
        .filter_map(|(name, template)| {
            let mut template = template.clone();
            rewrite_template(&mut template, name, &indented, &known).then(|| (name.clone(), template))
        })
        .collect();
    for (name, template) in rewritten {
        registry.register_template(&name, template);
    }
}

/// Every template as loaded, and every inline partial by its name: what a partial call can
/// render, for [`hash_in_place`] to read before any call is rewritten.
struct Known<'t> {
    registered: HashMap<&'t str, &'t Template>,
    inline: HashMap<&'t str, Vec<&'t Template>>,
}

impl<'t> Known<'t> {
    fn of(templates: &'t [(String, Template)]) -> Known<'t> {
        fn inline_of<'t>(template: &'t Template, inline: &mut HashMap<&'t str, Vec<&'t Template>>) {
            for element in &template.elements {
                if let Some(Some(name)) = inline_name(element)
                    && let TemplateElement::DecoratorBlock(decorator) = element
                    && let Some(body) = &decorator.template
                {
                    inline.entry(name).or_default().push(body);
                }
                for inner in inner_templates(element) {
                    inline_of(inner, inline);
                }
            }
        }
        let mut inline = HashMap::new();
        for (_, template) in templates {
            inline_of(template, &mut inline);
        }
        Known { registered: templates.iter().map(|(name, t)| (name.as_str(), t)).collect(), inline }
    }

    /// The templates a call of the partial `name` may render: its inline definitions (which
    /// come first where one is in scope) and the registered one.
    fn partial(&self, name: &str) -> impl Iterator<Item = &'t Template> + '_ {
        self.inline.get(name).into_iter().flatten().copied().chain(self.registered.get(name).copied())
    }
}

/// The templates inside an element: a block's body and its `{{else}}`, a decorator's body.
fn inner_templates(element: &TemplateElement) -> Vec<&Template> {
    match element {
        TemplateElement::HelperBlock(helper) => helper.template.iter().chain(helper.inverse.iter()).collect(),
        TemplateElement::DecoratorBlock(decorator) | TemplateElement::PartialBlock(decorator) => {
            decorator.template.iter().collect()
        }
        _ => Vec::new(),
    }
}

/// A partial name the rewrite handles: a plain word, as every built-in partial's.
fn plain_name(parameter: &Parameter) -> Option<&str> {
    let name = parameter.as_name()?;
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    plain.then_some(name)
}

/// The name an `{{#*inline "name"}}` block defines, if that is what the element is.
fn inline_name(element: &TemplateElement) -> Option<Option<&str>> {
    let TemplateElement::DecoratorBlock(decorator) = element else { return None };
    if decorator.name.as_name() != Some("inline") {
        return None;
    }
    Some(match decorator.params.first() {
        Some(Parameter::Literal(serde_json::Value::String(name))) => Some(name.as_str()),
        _ => None,
    })
}

/// Adds to `indented` the partials some call renders with an indent; false when a template
/// uses what the rewrite cannot follow (a partial block, a computed partial name, an inline
/// partial without a literal name).
fn survey(template: &Template, indented: &mut HashSet<String>) -> bool {
    template.elements.iter().all(|element| survey_element(element, indented))
}

fn survey_element(element: &TemplateElement, indented: &mut HashSet<String>) -> bool {
    match element {
        TemplateElement::PartialBlock(_) => false,
        TemplateElement::PartialExpression(call) => {
            let Some(name) = plain_name(&call.name) else { return false };
            if call.indent.as_deref().is_some_and(|indent| !indent.is_empty()) {
                indented.insert(name.to_owned());
            }
            call.template.as_ref().is_none_or(|t| survey(t, indented))
        }
        TemplateElement::DecoratorBlock(decorator) | TemplateElement::DecoratorExpression(decorator) => {
            inline_name(element) != Some(None)
                && decorator.template.as_ref().is_none_or(|t| survey(t, indented))
        }
        TemplateElement::HelperBlock(helper)
        | TemplateElement::Expression(helper)
        | TemplateElement::HtmlExpression(helper) => {
            helper.name.as_name() != Some("@partial-block")
                && helper.template.as_ref().is_none_or(|t| survey(t, indented))
                && helper.inverse.as_ref().is_none_or(|t| survey(t, indented))
        }
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => true,
        // An element a later Handlebars may add: nothing is rewritten.
        _ => false,
    }
}

/// Rewrites the calls in `template`, rendered as the partial `owner` (or as a letter); true
/// when anything changed.
fn rewrite_template(
    template: &mut Template,
    owner: &str,
    indented: &HashSet<String>,
    known: &Known<'_>,
) -> bool {
    let mut changed = false;
    for element in &mut template.elements {
        changed |= rewrite_element(element, owner, indented, known);
    }
    changed
}

fn rewrite_element(
    element: &mut TemplateElement,
    owner: &str,
    indented: &HashSet<String>,
    known: &Known<'_>,
) -> bool {
    // An inline partial's body is rendered where it is called, as that name.
    let inline = inline_name(element).flatten().map(str::to_owned);
    let owner = inline.as_deref().unwrap_or(owner);
    match element {
        TemplateElement::PartialExpression(call) => {
            let in_place = !indented.contains(owner)
                && call.params.is_empty()
                && call.template.is_none()
                && call.indent.is_none();
            let name = plain_name(&call.name).filter(|_| in_place);
            let name = name.filter(|name| call.hash.is_empty() || hash_in_place(name, &call.hash, known));
            match name.and_then(in_place_call) {
                Some(mut replacement) => {
                    if let TemplateElement::Expression(helper) = &mut replacement {
                        helper.hash.clone_from(&call.hash);
                    }
                    *element = replacement;
                    true
                }
                None => false,
            }
        }
        TemplateElement::DecoratorBlock(decorator) | TemplateElement::DecoratorExpression(decorator) => {
            decorator.template.as_mut().is_some_and(|t| rewrite_template(t, owner, indented, known))
        }
        TemplateElement::HelperBlock(helper) => {
            let body = helper.template.as_mut().is_some_and(|t| rewrite_template(t, owner, indented, known));
            let inverse =
                helper.inverse.as_mut().is_some_and(|t| rewrite_template(t, owner, indented, known));
            body || inverse
        }
        _ => false,
    }
}

/// Whether `{{> name key=value ...}}` renders the same in place. Handlebars gives such a
/// partial each key twice: as a block parameter, which every lookup of the name finds first
/// (in the partial, in the blocks inside it, in the partials it calls), and in a copy of the
/// caller's data with the keys added (`merge_json`: the deep copy this module exists to
/// avoid, half of a letter's rendering). In place, the partial gets the block parameters and
/// the caller's data itself. The two differ only where the partial's data is seen whole or
/// through `this`: `{{this}}`, `{{.}}`, `{{..}}` and `{{json this}}` outside a block of its own, or
/// `this.key` for one of the keys. So the call is rendered in place only when nothing the
/// partial may render (its templates and those of every partial it calls, inline ones too)
/// does that, calls a partial with a context, or names block parameters of its own.
fn hash_in_place(name: &str, hash: &HashMap<String, Parameter>, known: &Known<'_>) -> bool {
    let keys: Vec<&str> = hash.keys().map(String::as_str).collect();
    Reading { keys: &keys, known, seen: HashSet::new() }.partial(name, false)
}

/// What [`hash_in_place`] reads: the hash's keys, every template a partial call may render,
/// and the partials read so far (each once, whether inside a block of its own or not).
struct Reading<'r, 't> {
    keys: &'r [&'r str],
    known: &'r Known<'t>,
    seen: HashSet<(&'t str, bool)>,
}

impl<'t> Reading<'_, 't> {
    /// Every template a call of `name` may render reads the data by name only; `in_block`: the
    /// call is inside an `{{#each}}` or `{{#with}}` of the partial, whose `this` is its own.
    fn partial(&mut self, name: &'t str, in_block: bool) -> bool {
        if !self.seen.insert((name, in_block)) {
            return true;
        }
        let known = self.known;
        known.partial(name).all(|t| self.template(t, in_block))
    }

    fn template(&mut self, template: &'t Template, in_block: bool) -> bool {
        template.elements.iter().all(|element| self.element(element, in_block))
    }

    fn element(&mut self, element: &'t TemplateElement, in_block: bool) -> bool {
        let keys = self.keys;
        match element {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => true,
            TemplateElement::Expression(helper) | TemplateElement::HtmlExpression(helper) => {
                helper_sees_only_names(helper, keys, in_block)
            }
            TemplateElement::HelperBlock(helper) => {
                // `each` and `with` render their body with a `this` of its own; `if` and
                // `unless` (and, to be safe, any other helper) with the partial's.
                let own_this = matches!(helper.name.as_name(), Some("each" | "with"));
                helper.block_param.is_none()
                    && helper_sees_only_names(helper, keys, in_block)
                    && helper.template.as_ref().is_none_or(|t| self.template(t, in_block || own_this))
                    && helper.inverse.as_ref().is_none_or(|t| self.template(t, in_block))
            }
            TemplateElement::PartialExpression(call) => {
                call.params.is_empty()
                    && call.template.is_none()
                    && call.hash.values().all(|p| parameter_sees_only_names(p, keys, in_block))
                    && plain_name(&call.name).is_some_and(|name| self.partial(name, in_block))
            }
            // An inline partial's body is read where it is called.
            TemplateElement::DecoratorBlock(_) => inline_name(element).is_some_and(|name| name.is_some()),
            _ => false,
        }
    }
}

fn helper_sees_only_names(
    helper: &handlebars::template::HelperTemplate,
    keys: &[&str],
    in_block: bool,
) -> bool {
    parameter_sees_only_names(&helper.name, keys, in_block)
        && helper.params.iter().all(|p| parameter_sees_only_names(p, keys, in_block))
        && helper.hash.values().all(|p| parameter_sees_only_names(p, keys, in_block))
}

fn parameter_sees_only_names(parameter: &Parameter, keys: &[&str], in_block: bool) -> bool {
    match parameter {
        Parameter::Literal(_) => true,
        Parameter::Name(name) => path_sees_only_names(name, keys, in_block),
        Parameter::Path(Path::Relative((_, raw))) => path_sees_only_names(raw, keys, in_block),
        Parameter::Path(Path::Local(_)) => true,
        Parameter::Subexpression(sub) => match sub.element.as_ref() {
            TemplateElement::Expression(helper) => helper_sees_only_names(helper, keys, in_block),
            _ => false,
        },
        _ => false,
    }
}

/// A path as written: a name (`total`, `words.to_pay`, `../customer`, `@root.x`) is found the
/// same either way; the data seen whole (`this`, `.`, `..`) or through `this` is not, unless
/// it is a block's own `this`.
fn path_sees_only_names(raw: &str, keys: &[&str], in_block: bool) -> bool {
    let mut rest = raw.trim();
    let mut up = false;
    while let Some(after) = rest.strip_prefix("../") {
        rest = after;
        up = true;
    }
    if rest == ".." {
        return false;
    }
    let through_this = ["this.", "this/", "./"].iter().find_map(|p| rest.strip_prefix(p));
    let whole = matches!(rest, "this" | "." | "");
    if !whole && through_this.is_none() {
        return true;
    }
    if up {
        return false;
    }
    match through_this {
        Some(field) => in_block || !keys.iter().any(|k| field.split(['.', '/']).next() == Some(*k)),
        None => in_block,
    }
}

/// The element `{{__dun_partial "name"}}`.
fn in_place_call(name: &str) -> Option<TemplateElement> {
    let mut call = Template::compile(&format!("{{{{{IN_PLACE} \"{name}\"}}}}")).ok()?;
    (call.elements.len() == 1).then(|| call.elements.remove(0))
}

/// Renders a partial as Handlebars' `{{> name}}` does, without copying the data.
struct InPlace;

impl HelperDef for InPlace {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let name = h
            .param(0)
            .and_then(|p| p.value().as_str())
            .ok_or(RenderErrorReason::ParamNotFoundForIndex(IN_PLACE, 0))?;
        if rc.is_current_template(name) {
            return Err(RenderErrorReason::CannotIncludeSelf.into());
        }
        let partial: &'rc Template = match rc.get_partial(name) {
            Some(partial) => partial,
            None => {
                r.get_template(name).ok_or_else(|| RenderErrorReason::PartialNotFound(name.to_owned()))?
            }
        };
        let mut block = BlockContext::new();
        // A call with a hash (`{{> letter_totals total_label=words.to_pay}}`): each key a
        // block parameter, as Handlebars sets them (see `hash_in_place`).
        for (key, value) in h.hash() {
            block.set_block_param(key, BlockParamHolder::Value(value.value().clone()));
        }
        if let Some(parent) = rc.block() {
            block.local_variables_mut().clone_from(parent.local_variables());
        }
        // The partial sees what the caller sees: the same place in the data, or (where the
        // caller's block holds a value of its own) a copy of it, as Handlebars makes.
        match (rc.context(), rc.block()) {
            (None, Some(parent)) if parent.base_value().is_none() => {
                block.base_path_mut().clone_from(parent.base_path());
            }
            (modified, _) => {
                let value = match modified {
                    Some(modified) => rc.evaluate(&modified, "this")?.as_json().clone(),
                    None => rc.evaluate(ctx, "this")?.as_json().clone(),
                };
                block.set_base_value(value);
            }
        }
        let template_before = rc.get_current_template_name();
        rc.push_block(block);
        let result = partial.render(r, ctx, rc, out);
        let trailing_newline = rc.get_trailine_newline();
        rc.pop_block();
        rc.set_trailing_newline(trailing_newline);
        rc.set_current_template_name(template_before);
        result
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::letters::tests::sample;
    use crate::letters::{Channel, LANGUAGES, LetterData, Letters, Step};

    /// How many elements of `registry`'s templates (in blocks and inline partials too) are
    /// `counted`.
    fn elements(registry: &Handlebars<'static>, counted: &dyn Fn(&TemplateElement) -> bool) -> usize {
        fn count(template: &Template, counted: &dyn Fn(&TemplateElement) -> bool) -> usize {
            template
                .elements
                .iter()
                .map(|element| {
                    let inner = match element {
                        TemplateElement::HelperBlock(helper) => {
                            helper.template.as_ref().map_or(0, |t| count(t, counted))
                                + helper.inverse.as_ref().map_or(0, |t| count(t, counted))
                        }
                        TemplateElement::DecoratorBlock(decorator) => {
                            decorator.template.as_ref().map_or(0, |t| count(t, counted))
                        }
                        _ => 0,
                    };
                    inner + usize::from(counted(element))
                })
                .sum()
        }
        registry.get_templates().values().map(|t| count(t, counted)).sum()
    }

    /// How many partial calls of `registry` are rendered in place.
    fn in_place_calls(registry: &Handlebars<'static>) -> usize {
        elements(
            registry,
            &|element| matches!(element, TemplateElement::Expression(helper) if helper.name.as_name() == Some(IN_PLACE)),
        )
    }

    /// How many partial calls (`{{> name}}`) `registry` renders as Handlebars does.
    fn partial_calls(registry: &Handlebars<'static>) -> usize {
        elements(registry, &|element| matches!(element, TemplateElement::PartialExpression(_)))
    }

    /// Letters in many shapes: full, one invoice without extras, a later reminder with a
    /// collection warning, and text with line breaks, `{{` and markup where the data is free.
    fn shapes(language: &str, step: Step) -> Vec<LetterData> {
        let full = sample(language, step);
        let mut short = full.clone();
        short.invoices.truncate(1);
        short.fee = None;
        short.reference = None;
        short.reference_scheme = "none".into();
        short.company.phone = None;
        let mut warning = full.clone();
        warning.step_number = 2;
        warning.collection_warning = true;
        let mut awkward = full.clone();
        awkward.customer.name = "Line one\nLine two & <b>{{x}}</b>\n".into();
        awkward.invoices[0].description = Some("first\n  second\n\nthird".into());
        awkward.customer.address_lines.push("Box 12\nc/o Someone".into());
        vec![full, short, warning, awkward]
    }

    /// Every channel of every step in every language and shape, rendered by `letters` and by
    /// plain Handlebars with the same templates: the same bytes, or the same error.
    fn renders_as_handlebars(dir: Option<&Path>) -> usize {
        let rewritten = Letters::new(dir).expect("templates load");
        let plain = Letters::as_handlebars(dir).expect("templates load");
        let mut compared = 0;
        for language in LANGUAGES {
            for step in Step::ALL {
                for data in shapes(language, step) {
                    for channel in Channel::ALL {
                        let render = |letters: &Letters| {
                            letters
                                .render_channels(step, &[channel], language, data.to_value())
                                .map_err(|e| e.to_string())
                        };
                        assert_eq!(render(&rewritten), render(&plain), "{language} {step} {channel}");
                        compared += 1;
                    }
                }
            }
        }
        compared
    }

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    #[test]
    fn the_builtin_layout_renders_as_handlebars_does() {
        let letters = Letters::new(None).expect("built-ins load");
        // Every partial call of the built-in layout is rewritten (none has an indent; those
        // with a hash, the totals and payment boxes, read the data by name only) ...
        let plain = Letters::as_handlebars(None).expect("load");
        assert_eq!(in_place_calls(&letters.html), partial_calls(&plain.html));
        assert_eq!(in_place_calls(&letters.text), partial_calls(&plain.text));
        assert!(in_place_calls(&letters.html) >= 150, "{}", in_place_calls(&letters.html));
        assert!(in_place_calls(&letters.text) >= 40, "{}", in_place_calls(&letters.text));
        assert_eq!(in_place_calls(&Letters::as_handlebars(None).expect("load").html), 0);
        // ... and every letter is what Handlebars makes of the same templates.
        assert_eq!(renders_as_handlebars(None), 5 * 3 * 4 * 3);
    }

    #[test]
    fn overridden_partials_take_effect_and_render_as_handlebars_does() {
        let dir = tempfile::tempdir().expect("temp dir");
        // An indented partial that calls another partial at the start of a line: Handlebars
        // renders that one without the indent, which a helper cannot do, so it stays a partial.
        // (The built-ins call no partial with an indent: the Swedish reminder is given one.)
        write(
            dir.path(),
            "partials/letter_closing.hbs",
            "<p>OVERRIDDEN CLOSING\n{{customer.name}}\n</p>\n{{> letter_address}}\nend\n",
        );
        let reminder =
            crate::letters::builtin_source("templates/sv/reminder.letter.html.hbs").expect("built-in");
        assert!(reminder.contains("\n{{> letter_closing}}\n"));
        write(
            dir.path(),
            "sv/reminder.letter.html.hbs",
            &reminder.replace("\n{{> letter_closing}}\n", "\n    {{> letter_closing}}\n"),
        );
        // The page calls the body with an indent: everything in the body stays a partial.
        let page = crate::letters::builtin_source("templates/partials/email_page.hbs").expect("built-in");
        write(dir.path(), "partials/email_page.hbs", &page.replace("\n{{> body}}", "\n    {{> body}}"));
        // A partial with its own inline partial, and one that is called without an indent.
        write(
            dir.path(),
            "partials/text_closing.hbs",
            "{{#*inline \"sign\"}}-- {{@root.company.name}}\n{{/inline}}{{> sign}}{{#each invoices}}\n{{> sign}}{{/each}}",
        );
        write(
            dir.path(),
            "sv/reminder.sms.txt.hbs",
            "{{#if fee}}{{> text_closing}}{{/if}} {{customer.name}}",
        );
        assert_eq!(renders_as_handlebars(Some(dir.path())), 5 * 3 * 4 * 3);

        let letters = Letters::new(Some(dir.path())).expect("load");
        assert!(in_place_calls(&letters.text) > 0);
        let data = sample("sv", Step::Reminder);
        let [letter, email, sms] = &letters
            .render_channels(Step::Reminder, &Channel::ALL, "sv", data.to_value())
            .expect("renders")[..]
        else {
            panic!("three channels")
        };
        let html = letter.html.as_deref().expect("html");
        assert!(html.contains("    <p>OVERRIDDEN CLOSING\n    Fisk &amp; &lt;Skaldjur&gt; AB\n"), "{html}");
        assert!(email.text.as_deref().expect("text").contains("-- Nordisk Verkstad AB"));
        assert!(sms.text.as_deref().expect("sms").starts_with("-- Nordisk Verkstad AB"));
    }

    #[test]
    fn a_partial_with_a_hash_is_rendered_in_place_only_where_it_renders_the_same() {
        for (source, in_place) in [
            // The key inside a block of the partial's own, a block's own `this`, the caller's
            // data by `../` and a field through `this`: found the same in place.
            (
                "{{#each invoices}}{{total_label}} {{this.number}} {{../total}}{{/each}} {{this.total}} {{total_label}}",
                true,
            ),
            // Called from a partial that the one with the hash calls.
            ("{{> letter_address}}{{total_label}}", true),
            // The partial's data seen whole, or the key read through `this`: Handlebars'
            // copy of the data has the key, the caller's data has not.
            ("{{lookup this \"total_label\"}}", false),
            ("{{this.total_label}}", false),
            ("{{#each this}}{{@key}} {{/each}}", false),
            ("{{#if total}}{{#with this}}{{total_label}}{{/with}}{{/if}}", false),
            ("{{#each invoices}}{{../this.total_label}}{{/each}}", false),
            ("{{#each invoices as |invoice|}}{{invoice.number}}{{/each}}", false),
        ] {
            let dir = tempfile::tempdir().expect("temp dir");
            write(dir.path(), "partials/letter_totals.hbs", source);
            let letters = Letters::new(Some(dir.path())).expect("load");
            let calls = partial_calls(&Letters::as_handlebars(Some(dir.path())).expect("load").html);
            // letter_totals is called with a hash from every letter of every language, 15
            // calls in all.
            assert_eq!(renders_as_handlebars(Some(dir.path())), 5 * 3 * 4 * 3, "{source}");
            let want = if in_place { calls } else { calls - 15 };
            assert_eq!(in_place_calls(&letters.html), want, "{source}");
        }
        // A partial the one with the hash calls sees the data whole: the call stays Handlebars'.
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "partials/letter_totals.hbs", "{{> letter_address}}{{total_label}}");
        write(dir.path(), "partials/letter_address.hbs", "{{#each this}}{{@key}}{{/each}}");
        let letters = Letters::new(Some(dir.path())).expect("load");
        let calls = partial_calls(&Letters::as_handlebars(Some(dir.path())).expect("load").html);
        assert_eq!(in_place_calls(&letters.html), calls - 15);
        assert_eq!(renders_as_handlebars(Some(dir.path())), 5 * 3 * 4 * 3);
    }

    #[test]
    fn errors_in_partials_are_handlebars_errors() {
        for (partial, source, says) in [
            ("letter_closing", "<p>\n  {{company.nmae}}</p>", ":2:"),
            ("letter_closing", "again {{> letter_closing}}", "current template"),
            ("letter_address", "{{> no_such_partial}}", "no_such_partial"),
        ] {
            let dir = tempfile::tempdir().expect("temp dir");
            write(dir.path(), &format!("partials/{partial}.hbs"), source);
            let data = sample("en", Step::Reminder).to_value();
            let render = |letters: Letters| {
                letters.render(Step::Reminder, Channel::Letter, "en", &data).expect_err("fails").to_string()
            };
            let rewritten = render(Letters::new(Some(dir.path())).expect("load"));
            assert_eq!(rewritten, render(Letters::as_handlebars(Some(dir.path())).expect("load")));
            assert!(rewritten.contains(says), "{rewritten}");
            if says == ":2:" {
                let file = dir.path().join("partials/letter_closing.hbs");
                assert!(rewritten.starts_with(&format!("{}:2:", file.display())), "{rewritten}");
            }
        }
    }

    #[test]
    fn a_partial_block_leaves_every_partial_to_handlebars() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "partials/letter_address.hbs", "{{#> letter_closing}}fallback{{/letter_closing}}");
        let letters = Letters::new(Some(dir.path())).expect("load");
        assert_eq!(in_place_calls(&letters.html), 0);
        assert_eq!(renders_as_handlebars(Some(dir.path())), 5 * 3 * 4 * 3);
    }
}
