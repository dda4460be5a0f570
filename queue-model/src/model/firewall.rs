//! `/ip firewall` rules (mangle and filter) and their actions.

use std::fmt;
use std::str::FromStr;

use super::*;
use crate::error::PropertyError;
use crate::text::Text;

/// The action of a firewall rule (filter or mangle).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Action {
    /// `accept` (the default).
    #[default]
    Accept,
    /// `drop`.
    Drop,
    /// `reject`.
    Reject,
    /// `mark-connection`: sets `new-connection-mark`.
    MarkConnection,
    /// `mark-packet`: sets `new-packet-mark`.
    MarkPacket,
    /// `mark-routing`.
    MarkRouting,
    /// `passthrough`.
    Passthrough,
    /// `jump`.
    Jump,
    /// `return`.
    Return,
    /// Another action RouterOS knows (`log`, `fasttrack-connection`, `change-dscp`...).
    Other(String),
}

const OTHER_ACTIONS: &[&str] = &[
    "add-dst-to-address-list",
    "add-src-to-address-list",
    "change-dscp",
    "change-mss",
    "change-ttl",
    "clear-df",
    "fasttrack-connection",
    "log",
    "route",
    "set-priority",
    "sniff-pc",
    "sniff-tzsp",
    "strip-ipv4-options",
    "tarpit",
];

impl FromStr for Action {
    type Err = PropertyError;
    fn from_str(s: &str) -> Result<Self, PropertyError> {
        Ok(match s {
            "accept" => Action::Accept,
            "drop" => Action::Drop,
            "reject" => Action::Reject,
            "mark-connection" => Action::MarkConnection,
            "mark-packet" => Action::MarkPacket,
            "mark-routing" => Action::MarkRouting,
            "passthrough" => Action::Passthrough,
            "jump" => Action::Jump,
            "return" => Action::Return,
            other if OTHER_ACTIONS.contains(&other) => Action::Other(other.to_owned()),
            other => return Err(PropertyError::no_such("action", other)),
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Accept => "accept",
            Action::Drop => "drop",
            Action::Reject => "reject",
            Action::MarkConnection => "mark-connection",
            Action::MarkPacket => "mark-packet",
            Action::MarkRouting => "mark-routing",
            Action::Passthrough => "passthrough",
            Action::Jump => "jump",
            Action::Return => "return",
            Action::Other(s) => s,
        })
    }
}

/// An `/ip firewall mangle` or `/ip firewall filter` rule, with the properties that connect
/// Layer 7 protocols to queues typed and everything else kept as text.
///
/// ```
/// use queue_model::{Action, FirewallRule};
/// let mut r = FirewallRule::new("prerouting", Action::MarkConnection);
/// r.layer7_protocol = Some("youtube".into());
/// r.new_connection_mark = Some("yt-conn".into());
/// assert_eq!(r.action.to_string(), "mark-connection");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FirewallRule {
    /// The RouterOS item id, when read from a router.
    pub id: Option<String>,
    /// `chain` (`prerouting`, `forward`...).
    pub chain: String,
    /// `action`.
    pub action: Action,
    /// `in-interface`: match packets that entered through this interface (`!` negates).
    pub in_interface: Option<Text>,
    /// `out-interface`: match packets that leave through this interface.
    pub out_interface: Option<Text>,
    /// `src-address`: match this source address or range.
    pub src_address: Option<Text>,
    /// `dst-address`: match this destination address or range.
    pub dst_address: Option<Text>,
    /// `src-address-list`: match sources in this address list.
    pub src_address_list: Option<Text>,
    /// `dst-address-list`: match destinations in this address list.
    pub dst_address_list: Option<Text>,
    /// `protocol` (`tcp`, `udp`, `6`...).
    pub protocol: Option<Text>,
    /// `src-port` (ports and ranges, comma list).
    pub src_port: Option<Text>,
    /// `dst-port`.
    pub dst_port: Option<Text>,
    /// `connection-state` (`new`, `established,related`...).
    pub connection_state: Option<Text>,
    /// `layer7-protocol`: match connections classified by this protocol.
    pub layer7_protocol: Option<Text>,
    /// `connection-mark`: match connections with this mark.
    pub connection_mark: Option<Text>,
    /// `packet-mark`: match packets with this mark.
    pub packet_mark: Option<Text>,
    /// `new-connection-mark`: the mark `mark-connection` sets.
    pub new_connection_mark: Option<Text>,
    /// `new-packet-mark`: the mark `mark-packet` sets.
    pub new_packet_mark: Option<Text>,
    /// `new-routing-mark`: the mark `mark-routing` sets.
    pub new_routing_mark: Option<Text>,
    /// `passthrough` (mangle; default yes).
    pub passthrough: bool,
    /// `disabled`.
    pub disabled: bool,
    /// `comment`.
    pub comment: Option<Text>,
    /// Other matchers and properties (`protocol`, `dst-port`, `src-address`...), kept in order.
    pub extra: Vec<(String, Text)>,
}

impl Default for FirewallRule {
    fn default() -> Self {
        FirewallRule {
            id: None,
            chain: String::new(),
            action: Action::Accept,
            in_interface: None,
            out_interface: None,
            src_address: None,
            dst_address: None,
            src_address_list: None,
            dst_address_list: None,
            protocol: None,
            src_port: None,
            dst_port: None,
            connection_state: None,
            layer7_protocol: None,
            connection_mark: None,
            packet_mark: None,
            new_connection_mark: None,
            new_packet_mark: None,
            new_routing_mark: None,
            passthrough: true,
            disabled: false,
            comment: None,
            extra: Vec::new(),
        }
    }
}

impl FirewallRule {
    /// A rule in `chain` with `action`.
    pub fn new(chain: impl Into<String>, action: Action) -> Self {
        FirewallRule {
            chain: chain.into(),
            action,
            ..Self::default()
        }
    }
}

/// Properties of a firewall rule that are not matchers: they say what the rule does, not which
/// packets it takes.
const NOT_MATCHERS: &[&str] = &[
    "address-list",
    "address-list-timeout",
    "jump-target",
    "log-prefix",
    "new-dscp",
    "new-mss",
    "new-priority",
    "new-ttl",
    "route-dst",
    "sniff-id",
    "sniff-target",
    "sniff-target-port",
    "reject-with",
    "to-addresses",
    "to-ports",
];

impl FirewallRule {
    /// The rule's matchers as `(property, value)` pairs, sorted by property: the typed ones
    /// (`in-interface`, `src-address`, `connection-mark`...) and every unknown property that is
    /// not an action argument (`jump-target`, `log-prefix`...). Values are compared as written,
    /// so `!` negations and lists are matchers of their own.
    pub fn matchers(&self) -> Vec<(&str, &[u8])> {
        let mut out: Vec<(&str, &[u8])> = [
            ("in-interface", &self.in_interface),
            ("out-interface", &self.out_interface),
            ("src-address", &self.src_address),
            ("dst-address", &self.dst_address),
            ("src-address-list", &self.src_address_list),
            ("dst-address-list", &self.dst_address_list),
            ("protocol", &self.protocol),
            ("src-port", &self.src_port),
            ("dst-port", &self.dst_port),
            ("connection-state", &self.connection_state),
            ("layer7-protocol", &self.layer7_protocol),
            ("connection-mark", &self.connection_mark),
            ("packet-mark", &self.packet_mark),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect();
        out.extend(
            self.extra
                .iter()
                .filter(|(k, _)| !NOT_MATCHERS.contains(&k.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_bytes())),
        );
        out.sort_unstable();
        out
    }

    /// True for the marking actions (`mark-connection`, `mark-packet`, `mark-routing`), the
    /// ones `passthrough` applies to.
    pub fn is_mark(&self) -> bool {
        matches!(
            self.action,
            Action::MarkConnection | Action::MarkPacket | Action::MarkRouting
        )
    }

    /// The mark this rule sets, for a marking action.
    pub fn new_mark(&self) -> Option<&Text> {
        match self.action {
            Action::MarkConnection => self.new_connection_mark.as_ref(),
            Action::MarkPacket => self.new_packet_mark.as_ref(),
            Action::MarkRouting => self.new_routing_mark.as_ref(),
            _ => None,
        }
    }
}

/// A mangle rule.
pub type MangleRule = FirewallRule;
/// A filter rule.
pub type FilterRule = FirewallRule;

impl Item for FirewallRule {
    fn name(&self) -> Option<&Text> {
        None
    }

    fn plan_key(&self) -> Option<&Text> {
        self.comment.as_ref()
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    fn set_property(&mut self, key: &str, v: &[u8]) -> Result<(), PropertyError> {
        match key {
            ".id" => self.id = opt_string(utf8(key, v)?),
            "chain" => utf8(key, v)?.clone_into(&mut self.chain),
            "action" => self.action = utf8(key, v)?.parse()?,
            "in-interface" => self.in_interface = opt_text(v),
            "out-interface" => self.out_interface = opt_text(v),
            "src-address" => self.src_address = opt_text(v),
            "dst-address" => self.dst_address = opt_text(v),
            "src-address-list" => self.src_address_list = opt_text(v),
            "dst-address-list" => self.dst_address_list = opt_text(v),
            "protocol" => self.protocol = opt_text(v),
            "src-port" => self.src_port = opt_text(v),
            "dst-port" => self.dst_port = opt_text(v),
            "connection-state" => self.connection_state = opt_text(v),
            "new-routing-mark" => self.new_routing_mark = opt_text(v),
            "layer7-protocol" => self.layer7_protocol = opt_text(v),
            "connection-mark" => self.connection_mark = opt_text(v),
            "packet-mark" => self.packet_mark = opt_text(v),
            "new-connection-mark" => self.new_connection_mark = opt_text(v),
            "new-packet-mark" => self.new_packet_mark = opt_text(v),
            "passthrough" => self.passthrough = parse_bool(key, utf8(key, v)?)?,
            "disabled" => self.disabled = parse_bool(key, utf8(key, v)?)?,
            "comment" => self.comment = opt_text(v),
            _ if IGNORED.contains(&key) || key == "bytes" || key == "packets" => {}
            _ => {
                check_key(key)?;
                set_extra(&mut self.extra, key, v)
            }
        }
        Ok(())
    }

    fn properties_styled(&self, style: Style, compact: bool) -> Vec<(String, Text)> {
        let opt = |o: &Option<Text>| (o.clone().unwrap_or_default(), o.is_none());
        let mut items = vec![
            ("chain", self.chain.as_str().into(), false),
            (
                "action",
                self.action.to_string().into(),
                self.action == Action::Accept,
            ),
            (
                "passthrough",
                bool_str(self.passthrough, style).into(),
                self.passthrough,
            ),
            (
                "disabled",
                bool_str(self.disabled, style).into(),
                !self.disabled,
            ),
        ];
        for (k, o) in [
            ("in-interface", &self.in_interface),
            ("out-interface", &self.out_interface),
            ("src-address", &self.src_address),
            ("dst-address", &self.dst_address),
            ("src-address-list", &self.src_address_list),
            ("dst-address-list", &self.dst_address_list),
            ("protocol", &self.protocol),
            ("src-port", &self.src_port),
            ("dst-port", &self.dst_port),
            ("connection-state", &self.connection_state),
            ("new-routing-mark", &self.new_routing_mark),
            ("layer7-protocol", &self.layer7_protocol),
            ("connection-mark", &self.connection_mark),
            ("packet-mark", &self.packet_mark),
            ("new-connection-mark", &self.new_connection_mark),
            ("new-packet-mark", &self.new_packet_mark),
            ("comment", &self.comment),
        ] {
            let (v, d) = opt(o);
            items.push((k, v, d));
        }
        finish(items, &self.extra, compact)
    }

    fn required(&self) -> Result<(), PropertyError> {
        if self.chain.is_empty() {
            return Err(PropertyError::Missing {
                property: "chain".to_owned(),
            });
        }
        Ok(())
    }
}
