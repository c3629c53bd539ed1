<%@ Page language="c#" %> inert test page in a build folder
