// Suggested spellings fill the Latin and Tifinagh fields only when the agent clicks one: the confirmed
// spelling is legal data, so nothing is written without the agent's choice.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.fillTarget);
  if (field) {
    field.value = button.dataset.fillValue;
    field.focus();
  }
});
