//! The resources the mock remembers, and what each kind of operation does to them.
//!
//! An operation's kind comes from its method and path, as lomi.'s API lays them out:
//! `GET /things` lists, `POST /things` creates, `GET /things/{id}` retrieves,
//! `PATCH /things/{id}` updates and `DELETE /things/{id}` deletes. What a resource holds
//! comes from the spec's schemas: the mock stores the fields a request gives, as JSON,
//! and fills the ones the server assigns.

// A `Failure` is the answer itself (status, code, message, details), built once per
// failed request: boxing it would only add an allocation to the path tests exercise most.
#![allow(clippy::result_large_err)]

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::spec::{Operation, Spec};
use lomi_schema::Problem;
use lomi_schema::operation::{PAGE_COUNT_NAMES, PAGE_SIZE_NAMES, TOTAL_NAMES};

/// How long a new checkout session stays open, as lomi. sets it by default (30 to 60
/// minutes).
pub const SESSION_LIFETIME_MINUTES: i64 = 60;

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `GET /things`.
    List,
    /// `POST /things`.
    Create,
    /// `GET /things/{id}`.
    Retrieve,
    /// `PATCH` or `PUT /things/{id}`.
    Update,
    /// `DELETE /things/{id}`.
    Delete,
}

impl Kind {
    /// The kind of `op`, if it is one of the five: `lomi-schema`'s rule, which the
    /// generator's plan (and so the `lomi` command's verbs) follows too.
    pub fn of(op: &Operation) -> Option<Kind> {
        use lomi_schema::operation::{OperationKind, operation_kind};
        match operation_kind(&op.method, &op.path) {
            OperationKind::List => Some(Kind::List),
            OperationKind::Create => Some(Kind::Create),
            OperationKind::Retrieve => Some(Kind::Retrieve),
            OperationKind::Update => Some(Kind::Update),
            OperationKind::Delete => Some(Kind::Delete),
            OperationKind::Other => None,
        }
    }
}

/// The collection an operation works on, as a template: its path without the trailing
/// `{id}` (`products/{id}/prices`).
pub fn collection(op: &Operation) -> String {
    lomi_schema::operation::collection(&op.path)
}

/// The collection one request works on: [`collection`] with the parent's parameters
/// filled in (`products/prod_1/prices`), so that each product has its own prices.
pub fn collection_at(op: &Operation, params: &std::collections::HashMap<String, Value>) -> String {
    collection(op)
        .split('/')
        .map(|segment| {
            let name = lomi_schema::path::segment_param(segment);
            match name.and_then(|n| params.get(n)) {
                Some(Value::String(v)) => v.clone(),
                Some(other) => other.to_string(),
                None => segment.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An error the mock answers with: status, lomi.'s error `code`, message and details.
#[derive(Debug)]
pub struct Failure {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
    /// For a 405: the methods the path takes.
    pub allow: Option<String>,
}

impl Failure {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Failure {
        Failure {
            status,
            code,
            message: message.into(),
            details: None,
            allow: None,
        }
    }

    /// A 400 listing `problems`, as lomi.'s validation errors do.
    pub fn validation(problems: &[Problem]) -> Failure {
        Failure {
            status: 400,
            code: "bad_request",
            message: "Validation failed".into(),
            details: Some(Value::Array(
                problems.iter().map(Problem::to_json).collect(),
            )),
            allow: None,
        }
    }

    pub fn not_found(collection: &str, id: &str) -> Failure {
        Failure::new(
            404,
            "not_found",
            format!("No resource with id {id:?} in /{collection}"),
        )
    }
}

/// The stored resources, by collection, in creation order.
#[derive(Debug)]
pub struct Store {
    collections: BTreeMap<String, Vec<Value>>,
    /// The property that identifies the resources of each collection.
    id_fields: BTreeMap<String, String>,
    /// How many resources a collection keeps ([`Store::evict`]).
    cap: usize,
}

impl Default for Store {
    fn default() -> Self {
        Store::with_cap(crate::DEFAULT_MAX_RESOURCES)
    }
}

/// Now, as lomi. writes times.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The property that identifies a resource of `item` (its schema): `checkout_session_id`
/// for `checkout_sessions`, else a required `…_id` or `id`.
pub fn id_field(item: &Value, collection: &str) -> String {
    let properties = item.get("properties").and_then(Value::as_object);
    let has = |name: &str| properties.is_some_and(|p| p.contains_key(name));
    let last = collection.rsplit('/').next().unwrap_or(collection);
    let last = last.replace('-', "_");
    let singular = last.strip_suffix('s').unwrap_or(&last);
    let named = format!("{singular}_id");
    if has(&named) {
        return named;
    }
    lomi_schema::required(item)
        .into_iter()
        .find(|name| name.ends_with("_id"))
        .map_or_else(|| "id".to_string(), str::to_string)
}

/// Where a hosted payment page is, under the server's origin: `/checkout/<id>`, as on
/// lomi.'s checkout host.
pub const CHECKOUT_PATH: &str = "/checkout/";

impl Store {
    /// An empty store whose collections keep at most `cap` resources each.
    pub fn with_cap(cap: usize) -> Store {
        Store {
            collections: BTreeMap::new(),
            id_fields: BTreeMap::new(),
            cap: cap.max(1),
        }
    }

    /// Keeps `collection` within the cap: once over it, down to nine tenths of it (so
    /// that the walk is paid once every tenth of the cap), the oldest ended resources
    /// first (a checkout session no longer open), then the oldest.
    fn evict(&mut self, collection: &str) {
        let cap = self.cap;
        let Some(items) = self.collections.get_mut(collection) else {
            return;
        };
        if items.len() <= cap {
            return;
        }
        let keep = (cap - cap / 10).max(1);
        let mut excess = items.len() - keep;
        let ended = |r: &Value| {
            r.get("status")
                .and_then(Value::as_str)
                .is_some_and(|s| s != "open")
        };
        let mut gone = vec![false; items.len()];
        for (i, item) in items.iter().enumerate() {
            if excess == 0 {
                break;
            }
            if ended(item) {
                gone[i] = true;
                excess -= 1;
            }
        }
        for flag in gone.iter_mut() {
            if excess == 0 {
                break;
            }
            if !*flag {
                *flag = true;
                excess -= 1;
            }
        }
        let mut at = 0;
        items.retain(|_| {
            let keep = !gone[at];
            at += 1;
            keep
        });
    }

    /// Every resource of `collection`.
    pub fn all(&self, collection: &str) -> &[Value] {
        self.collections.get(collection).map_or(&[], Vec::as_slice)
    }

    /// Creates a resource of `collection` from `body`, filling what the server assigns
    /// from `item` (the schema of what the create answers).
    pub fn create(
        &mut self,
        spec: &Spec,
        collection: &str,
        item: &Value,
        body: &Value,
        origin: &str,
    ) -> Result<Value, Failure> {
        let mut resource: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
        let id_name = id_field(item, collection);
        let now = now();
        let id = uuid::Uuid::new_v4().to_string();
        resource.insert(id_name.clone(), Value::String(id.clone()));
        self.id_fields.insert(collection.to_string(), id_name);
        let properties = item.get("properties").and_then(Value::as_object);
        let required = lomi_schema::required(item);
        let sessions = spec.sessions_collection();
        for (name, schema) in properties.into_iter().flatten() {
            if resource.get(name).is_some_and(|v| !v.is_null()) {
                continue;
            }
            let value = match name.as_str() {
                "created_at" | "updated_at" => Some(Value::String(now.clone())),
                // A checkout session starts open, whether or not the spec lists its
                // statuses (lomi.'s current document types `status` as a plain string).
                "status" if collection == sessions => Some(Value::String("open".into())),
                // The hosted payment page, on the mock's own host at lomi.'s path.
                "checkout_url" => Some(Value::String(format!("{origin}{CHECKOUT_PATH}{id}"))),
                "expires_at" => Some(Value::String(
                    (Utc::now() + chrono::Duration::minutes(SESSION_LIFETIME_MINUTES))
                        .to_rfc3339_opts(SecondsFormat::Millis, true),
                )),
                _ => {
                    let schema = follow(spec, schema);
                    schema.get("default").cloned().or_else(|| {
                        // A required enum (a status, a currency) starts at its first value.
                        required
                            .contains(&name.as_str())
                            .then(|| enum_values(schema).first().cloned())
                            .flatten()
                    })
                }
            };
            if let Some(value) = value {
                resource.insert(name.clone(), value);
            }
        }
        let missing: Vec<Problem> = required
            .iter()
            .filter(|name| resource.get(**name).is_none_or(Value::is_null))
            .map(|name| Problem {
                location: "body",
                field: (*name).to_string(),
                pointer: String::new(),
                message: format!("{name} is required to create one"),
            })
            .collect();
        if !missing.is_empty() {
            return Err(Failure::validation(&missing));
        }
        let resource = Value::Object(resource);
        self.collections
            .entry(collection.to_string())
            .or_default()
            .push(resource.clone());
        self.evict(collection);
        Ok(resource)
    }

    /// Stores `resource` as it is.
    pub fn insert(&mut self, collection: &str, id_name: &str, resource: Value) {
        self.id_fields
            .insert(collection.to_string(), id_name.to_string());
        self.collections
            .entry(collection.to_string())
            .or_default()
            .push(resource);
        self.evict(collection);
    }

    fn position(&self, collection: &str, id_name: &str, id: &str) -> Option<usize> {
        self.all(collection)
            .iter()
            .position(|r| r.get(id_name).and_then(Value::as_str) == Some(id))
    }

    /// The resource of `collection` whose `id_name` is `id`.
    pub fn get(&self, collection: &str, id_name: &str, id: &str) -> Result<Value, Failure> {
        self.position(collection, id_name, id)
            .map(|i| self.all(collection)[i].clone())
            .ok_or_else(|| Failure::not_found(collection, id))
    }

    /// Changes the fields `patch` gives, and only those.
    pub fn update(
        &mut self,
        collection: &str,
        id_name: &str,
        id: &str,
        patch: &Value,
    ) -> Result<Value, Failure> {
        let i = self
            .position(collection, id_name, id)
            .ok_or_else(|| Failure::not_found(collection, id))?;
        let patch = patch.as_object().cloned().unwrap_or_default();
        if let Some(given) = patch.get(id_name)
            && given.as_str() != Some(id)
        {
            return Err(Failure::validation(&[Problem {
                location: "body",
                field: id_name.to_string(),
                pointer: String::new(),
                message: format!("{id_name} cannot be changed"),
            }]));
        }
        let resource = self
            .collections
            .get_mut(collection)
            .and_then(|c| c.get_mut(i))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| Failure::not_found(collection, id))?;
        for (k, v) in patch {
            resource.insert(k, v);
        }
        if resource.contains_key("updated_at") {
            resource.insert("updated_at".into(), Value::String(now()));
        }
        Ok(Value::Object(resource.clone()))
    }

    /// Removes the resource.
    pub fn delete(&mut self, collection: &str, id_name: &str, id: &str) -> Result<(), Failure> {
        let i = self
            .position(collection, id_name, id)
            .ok_or_else(|| Failure::not_found(collection, id))?;
        if let Some(c) = self.collections.get_mut(collection) {
            c.remove(i);
        }
        Ok(())
    }

    /// The resource `id`, of any collection.
    pub fn find(&self, id: &str) -> Option<&Value> {
        self.collections.iter().find_map(|(collection, items)| {
            let id_name = self.id_fields.get(collection)?;
            items
                .iter()
                .find(|item| item.get(id_name).and_then(Value::as_str) == Some(id))
        })
    }

    /// Sets `field` of the resource `id` (of any collection) to `to`, if it is `from`
    /// now; returns the resource. A 404 if there is none, a 409 if it is not `from`.
    pub fn transition(
        &mut self,
        id: &str,
        field: &str,
        from: &str,
        to: &str,
    ) -> Result<Value, Failure> {
        for (collection, items) in &mut self.collections {
            let Some(id_name) = self.id_fields.get(collection) else {
                continue;
            };
            for item in items.iter_mut() {
                let Some(object) = item.as_object_mut() else {
                    continue;
                };
                if object.get(id_name).and_then(Value::as_str) != Some(id) {
                    continue;
                }
                let current = object.get(field).and_then(Value::as_str).unwrap_or("");
                if current != from {
                    return Err(Failure::new(
                        409,
                        "conflict",
                        format!("{id} is {current:?}, not {from:?}: it cannot become {to:?}"),
                    ));
                }
                object.insert(field.into(), Value::String(to.into()));
                if object.contains_key("updated_at") {
                    object.insert("updated_at".into(), Value::String(now()));
                }
                return Ok(item.clone());
            }
        }
        Err(Failure::new(
            404,
            "not_found",
            format!("no resource has the id {id:?}"),
        ))
    }
}

/// The values of a schema's `enum`, through one `$ref`-free level.
fn enum_values(schema: &Value) -> Vec<Value> {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// A page of `items`: sorted by `sort` (`field:direction`), then `offset` and `limit`.
pub fn page(
    items: &[Value],
    item_schema: &Value,
    limit: usize,
    offset: usize,
    sort: Option<&str>,
) -> Result<Vec<Value>, Failure> {
    let mut items = items.to_vec();
    if let Some(sort) = sort {
        let (field, direction) = sort.split_once(':').unwrap_or((sort, "asc"));
        let known = item_schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key(field));
        let descending = match direction {
            "asc" => false,
            "desc" => true,
            _ => {
                return Err(Failure::validation(&[Problem {
                    location: "query",
                    field: "sort".into(),
                    pointer: String::new(),
                    message: format!("direction must be asc or desc, got {direction:?}"),
                }]));
            }
        };
        if !known {
            return Err(Failure::validation(&[Problem {
                location: "query",
                field: "sort".into(),
                pointer: String::new(),
                message: format!("cannot sort by {field:?}: no such field"),
            }]));
        }
        // Stable: equal values keep their creation order.
        items.sort_by(|a, b| {
            let order = compare(a.get(field), b.get(field));
            if descending { order.reverse() } else { order }
        });
    }
    Ok(items.into_iter().skip(offset).take(limit).collect())
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        // Missing and null values sort last.
        (None | Some(Value::Null), None | Some(Value::Null)) => Ordering::Equal,
        (None | Some(Value::Null), _) => Ordering::Greater,
        (_, None | Some(Value::Null)) => Ordering::Less,
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}

/// What a pagination object may say, by the names lists give it: offset lists
/// (`limit`, `offset`, `total`) and page-number lists (`page`, `pageSize`, `totalCount`,
/// `totalPages`, or their snake-case spellings).
fn pagination(limit: usize, offset: usize, total: usize) -> Map<String, Value> {
    let size = limit.max(1);
    let page = offset / size + 1;
    let pages = total.div_ceil(size);
    let mut map = Map::new();
    for (names, value) in [
        (&["offset"][..], offset),
        (TOTAL_NAMES, total),
        (&["page"][..], page),
        (PAGE_SIZE_NAMES, limit),
        (PAGE_COUNT_NAMES, pages),
    ] {
        for name in names {
            map.insert(name.to_string(), json!(value));
        }
    }
    map
}

/// The list envelope the spec's list response describes, around `data`: the array
/// property holds the page, an object declaring pagination fields (`limit`, `offset`,
/// `total`, or `page`, `pageSize`, `totalCount`, `totalPages`…) the pagination, with
/// the fields it declares.
pub fn envelope(
    response: Option<&Value>,
    spec: &Spec,
    data: Vec<Value>,
    limit: usize,
    offset: usize,
    total: usize,
) -> Value {
    let known = pagination(limit, offset, total);
    let Some(schema) = response.map(|s| follow(spec, s)) else {
        return Value::Array(data);
    };
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Value::Array(data);
    }
    let mut out = Map::new();
    let mut data = Some(data);
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let property = follow(spec, property);
        if property.get("type").and_then(Value::as_str) == Some("array") {
            if let Some(data) = data.take() {
                out.insert(name.clone(), Value::Array(data));
            }
        } else if let Some(declared) = property.get("properties").and_then(Value::as_object) {
            let said: Map<String, Value> = declared
                .keys()
                .filter_map(|k| known.get(k).map(|v| (k.clone(), v.clone())))
                .collect();
            if !said.is_empty() {
                out.insert(name.clone(), Value::Object(said));
            }
        }
    }
    Value::Object(out)
}

/// The schema of the items of a list response (`data.items`), or of a single resource.
pub fn item_schema(spec: &Spec, response: &Value) -> Value {
    let response = follow(spec, response);
    if let Some(items) = response.get("items") {
        return follow(spec, items).clone();
    }
    for property in response
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        let property = follow(spec, property);
        if let Some(items) = property.get("items") {
            return follow(spec, items).clone();
        }
    }
    response.clone()
}

/// A schema with its `$ref` to `components.schemas` followed (and `allOf` of one).
pub fn follow<'a>(spec: &'a Spec, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..lomi_schema::refs::MAX_REF_HOPS {
        if let Some(name) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            match spec.schemas.get(name) {
                Some(s) => schema = &s.source,
                None => break,
            }
        } else if let Some([only]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            schema = only;
        } else {
            break;
        }
    }
    schema
}
