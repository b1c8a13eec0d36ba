// Placeholder: replaced by the full page.
Component({});
