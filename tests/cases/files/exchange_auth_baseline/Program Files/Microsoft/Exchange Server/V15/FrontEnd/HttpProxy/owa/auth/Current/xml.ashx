<%@ WebHandler Language="C#" Class="H" %> // inert test handler
