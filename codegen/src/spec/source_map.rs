//! Maps JSON pointers in a YAML (or JSON) document back to source lines.
//!
//! `serde_yaml` gives us the document's value but forgets where each node was, so the
//! text is read a second time as a stream of parser events to remember the line of
//! every key and sequence item. A node whose line is unknown (for example one reached
//! through a YAML alias) reports the line of its nearest known ancestor.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostic::escape_token;

/// Lines of the nodes of one document, by JSON pointer.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    lines: HashMap<String, usize>,
    duplicates: Vec<DuplicateKey>,
}

/// A key that appears twice in one mapping: YAML parsers keep only the last, silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// JSON pointer of the key.
    pub pointer: String,
    /// Line of its first occurrence.
    pub first_line: usize,
    /// Line of the repeat.
    pub line: usize,
}

impl SourceMap {
    /// Reads `text` and records the 1-based line of every node. Never fails: a document
    /// the event parser cannot read yields a partial (possibly empty) map.
    pub fn build(text: &str) -> Self {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        // Errors are reported by the real parse; here a prefix of the map is enough.
        let _ = parser.load(&mut builder, false);
        SourceMap {
            lines: builder.lines,
            duplicates: builder.duplicates,
        }
    }

    /// Keys repeated within one mapping, in document order.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// The line of the node at `pointer`, or of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut p = pointer;
        loop {
            if let Some(line) = self.lines.get(p) {
                return Some(*line);
            }
            let cut = p.rfind('/')?;
            p = &p[..cut];
        }
    }
}

enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
    },
    Seq {
        pointer: String,
        index: usize,
    },
}

#[derive(Default)]
struct Builder {
    lines: HashMap<String, usize>,
    duplicates: Vec<DuplicateKey>,
    stack: Vec<Frame>,
    skip_depth: usize,
    done: bool,
}

impl Builder {
    /// Where the next node goes, or `None` when the next scalar is a mapping key.
    fn place_node(&mut self) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Map { pointer, key }) => key
                .take()
                .map(|k| format!("{pointer}/{}", escape_token(&k))),
            Some(Frame::Seq { pointer, index }) => {
                let p = format!("{pointer}/{index}");
                *index += 1;
                Some(p)
            }
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.done {
            return;
        }
        if self.skip_depth > 0 {
            match ev {
                Event::MappingStart(..) | Event::SequenceStart(..) => self.skip_depth += 1,
                Event::MappingEnd | Event::SequenceEnd => self.skip_depth -= 1,
                _ => {}
            }
            return;
        }
        match ev {
            Event::DocumentEnd => self.done = true,
            Event::Scalar(text, ..) => {
                if self.expects_key() {
                    if let Some(Frame::Map { pointer, key }) = self.stack.last_mut() {
                        let at = format!("{pointer}/{}", escape_token(&text));
                        if let Some(&first_line) = self.lines.get(&at) {
                            self.duplicates.push(DuplicateKey {
                                pointer: at,
                                first_line,
                                line: mark.line(),
                            });
                        } else {
                            self.lines.insert(at, mark.line());
                        }
                        *key = Some(text);
                    }
                } else if let Some(p) = self.place_node() {
                    self.lines.entry(p).or_insert(mark.line());
                }
            }
            Event::Alias(_) => {
                if let Some(p) = self.place_node() {
                    self.lines.entry(p).or_insert(mark.line());
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.expects_key() {
                    // A complex key: nothing in it can be addressed by a JSON pointer.
                    self.skip_depth = 1;
                    return;
                }
                let Some(pointer) = self.place_node() else {
                    self.skip_depth = 1;
                    return;
                };
                self.lines.entry(pointer.clone()).or_insert(mark.line());
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { pointer, key: None }
                } else {
                    Frame::Seq { pointer, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "\
openapi: 3.0.3
paths:
  /a/{id}:
    get:
      operationId: getA
      parameters:
        - name: id
          in: path
        - name: q
          in: query
components:
  schemas:
    base: &base
      type: object
    copy: *base
";

    #[test]
    fn keys_and_sequence_items_have_their_lines() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.line_of(""), Some(1));
        assert_eq!(map.line_of("/openapi"), Some(1));
        assert_eq!(map.line_of("/paths/~1a~1{id}/get/operationId"), Some(5));
        assert_eq!(map.line_of("/paths/~1a~1{id}/get/parameters/0"), Some(7));
        assert_eq!(
            map.line_of("/paths/~1a~1{id}/get/parameters/1/in"),
            Some(10)
        );
    }

    #[test]
    fn unknown_nodes_fall_back_to_their_nearest_ancestor() {
        let map = SourceMap::build(DOC);
        assert_eq!(map.line_of("/paths/~1a~1{id}/get/nope/deeper"), Some(4));
        // Through an alias: the line of the alias itself.
        assert_eq!(map.line_of("/components/schemas/copy/type"), Some(15));
    }

    #[test]
    fn json_documents_work_too() {
        let map = SourceMap::build(
            "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/x\": {}\n  }\n}\n",
        );
        assert_eq!(map.line_of("/paths/~1x"), Some(4));
    }

    #[test]
    fn repeated_keys_are_found() {
        let map = SourceMap::build("a:\n  b: 1\n  c: 2\n  b: 3\nd: 4\n");
        assert_eq!(
            map.duplicates(),
            [DuplicateKey {
                pointer: "/a/b".into(),
                first_line: 2,
                line: 4
            }]
        );
        assert!(SourceMap::build(DOC).duplicates().is_empty());
    }

    #[test]
    fn broken_yaml_gives_a_partial_map() {
        let map = SourceMap::build("a: 1\nb: [\n");
        assert_eq!(map.line_of("/a"), Some(1));
    }
}
