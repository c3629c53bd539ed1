function flogon(){}
