<%@ Page Language="C#" %>
<%-- exhunt test sample: a near miss. A report page: the connection string
     comes from web.config and the request only fills a parameter.
<%
var cs = System.Configuration.ConfigurationManager.ConnectionStrings["Reports"].ConnectionString;
using (var conn = new System.Data.SqlClient.SqlConnection(cs))
using (var cmd = new System.Data.SqlClient.SqlCommand("SELECT Name FROM Orders WHERE Id = @id", conn)) {
    cmd.Parameters.AddWithValue("@id", Request.QueryString["id"]);
}
%>
--%>
