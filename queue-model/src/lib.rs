//! Typed MikroTik RouterOS simple queues, queue trees and types, mangle and Layer 7 rules:
//! validate them, read and write them
//! as `.rsc` script and API attribute maps, plan the commands that turn one configuration into
//! another, and simulate how HTB and burst share the bandwidth (PCQ's per-user sub-queues
//! included, for queue trees: [`sim::TreeSimulation`]). Hotspot users and profiles
//! ([`hotspot`], with MIKHMON's voucher and sales formats) and PPP secrets and profiles
//! ([`ppp`]) and netwatch entries ([`netwatch`]) are modelled the same way, with the rate-limit string as [`RateLimit`].
//!
//! ```
//! use queue_model::{rsc, validate, plan, sim::Simulation, Rate, UpDown};
//!
//! let desired = rsc::parse(
//!     "/queue simple\n\
//!      add max-limit=10M/10M name=office target=192.168.88.0/24\n\
//!      add limit-at=2M/2M max-limit=10M/10M name=desk-1 parent=office target=192.168.88.10\n",
//! )?;
//! assert!(validate(&desired).iter().all(|d| !d.is_error()));
//!
//! // What to send to a router that has none of it yet:
//! let changes = plan(&queue_model::Config::default(), &desired);
//! assert_eq!(changes[0].to_string(), "/queue simple add max-limit=10M/10M name=office target=192.168.88.0/24");
//!
//! // How a 10M line is shared when desk-1 downloads at full speed:
//! let mut sim = Simulation::new(&desired, UpDown::both(Rate(10_000_000)))?;
//! let mut load = vec![UpDown::both(0); 2];
//! load[1].download = 50_000_000;
//! let rates = sim.step(0.1, &load)?;
//! assert_eq!(rates[1].download, 10_000_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Semantics follow MikroTik's manuals: *Queues* (help.mikrotik.com/docs/display/ROS/Queues),
//! *HTB* (…/ROS/HTB) and *Queue Burst* (…/ROS/Queue+Burst).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod clock;
mod error;
pub mod hotspot;
mod mac;
mod model;
pub mod netwatch;
pub mod plan;
pub mod ppp;
mod rate_limit;
pub mod rsc;
mod secret;
pub mod sim;
mod text;
mod tree;
mod tree_check;
mod validate;
mod value;

pub use error::{
    ApplyError, MikhmonError, PropertyError, RateLimitError, RateLimitErrorKind, RateLimitPart,
    RscError, RscErrorKind, SimError, ValueError, VoucherError,
};
pub use mac::MacAddress;
pub use model::{
    Action, Config, Configuration, FilterRule, FirewallRule, Item, Layer7Protocol, MangleRule,
    SimpleQueue, Statistics, Style,
};
pub use plan::{apply, plan, plan_menus, resolve_comments, Change, Menu, ResolveError};
pub use rate_limit::{RateLimit, RateLimitProblem};
pub use secret::Password;
pub use text::Text;
pub use tree::{PcqClassifier, QueueKind, QueueTree, QueueType, BUILTIN_QUEUE_TYPES};
pub use tree_check::MAX_PACKET_MARKS;
pub use validate::{check_layer7_regexp, validate, Diagnostic, Severity, Subject, MAX_DEPTH};
pub use value::{Direction, Rate, Ratio, Target, Time, TimeWindow, UpDown, Weekday};
