//! The chat channels billing messages leave on: customers' Telegram chats and WhatsApp
//! numbers, and the operators' alert chats (see [`crate::billing::Channels`]).

use tg_notify::Notifier;

use super::{Monitor, WhatsAppControl};

/// The chat channels billing messages go out on (see [`Monitor::billing_channels`]).
#[derive(Clone)]
pub struct BillingChannels {
    notifier: Option<Notifier>,
    whatsapp: WhatsAppControl,
    chats: Vec<i64>,
}

impl Monitor {
    /// The channels for billing messages: customers' Telegram chats and WhatsApp numbers, and
    /// the operators' alert chats.
    pub fn billing_channels(&self) -> BillingChannels {
        BillingChannels {
            notifier: self.shared.notifier.clone(),
            whatsapp: self.shared.state.whatsapp.clone(),
            chats: self.shared.telegram.alert_chats(),
        }
    }
}

impl crate::billing::Channels for BillingChannels {
    fn telegram(&self, chat: i64, text: &str) -> bool {
        let Some(n) = &self.notifier else {
            return false;
        };
        if let Err(e) = n.enqueue(tg_notify::Alert::new(chat, text)) {
            tracing::warn!(error = %e, "cannot queue a billing message");
            return false;
        }
        true
    }

    fn whatsapp(&self, number: &str, text: &str) -> bool {
        let Some(w) = self.whatsapp.running() else {
            return false;
        };
        match number.parse::<wa_notify::PhoneNumber>() {
            Ok(n) => {
                w.reply(&n, text.to_owned());
                true
            }
            Err(_) => {
                // A number that can never be reached: handled (dropped) with a log line.
                tracing::warn!("billing message to an invalid WhatsApp number dropped");
                true
            }
        }
    }

    fn operators(&self, text: &str) -> bool {
        let mut sent = false;
        if let Some(n) = &self.notifier {
            for c in self.chats.iter().copied() {
                sent |= n.enqueue(tg_notify::Alert::new(c, text)).is_ok();
            }
        }
        if let Some(w) = self.whatsapp.running() {
            for number in w.config().alert_numbers() {
                w.reply(&number, text.to_owned());
                sent = true;
            }
        }
        sent
    }
}
