# What customers read: reminders, isolation and restore notices, the notice page.
