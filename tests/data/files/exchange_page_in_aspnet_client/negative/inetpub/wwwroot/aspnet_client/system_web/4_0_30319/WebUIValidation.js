// exhunt test sample: a client script, as ASP.NET installs them here
function ValidatorOnLoad() {}
