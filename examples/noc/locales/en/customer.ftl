# What customers read: reminders, isolation and restore notices, the notice page.

customer-msg-pay-to = Pay to: { $pay_to }.
customer-msg-remind = Hello { $name }, your internet bill of { $amount } is due on { $due }.{ $pay } Thank you!
customer-msg-isolate = Hello { $name }, your internet is paused because the bill of { $amount } is unpaid.{ $pay } It comes back as soon as the payment is recorded.
customer-msg-restore = Hello { $name }, thank you for your payment. Your internet is back on.

notice-title = Your internet access is paused
notice-owed = Hello { $name }, your bill of { $amount } is due.
notice-general = Your connection is paused because of an unpaid bill.
notice-pay-to = Pay to: { $pay_to }
notice-comes-back = Your internet comes back as soon as the payment is recorded.
